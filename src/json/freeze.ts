/**
 * Freezes a JSON value and everything in it, without recursion (the depth of a document read
 * from outside is the sender's choice). Values already frozen are not walked again. For
 * documents shared by every request (DID documents, schemas, rulebooks, parsed policies).
 */
export function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const child of Object.values(next)) pending.push(child);
  }
  return value;
}
