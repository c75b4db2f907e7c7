/**
 * Verifying a service's audit log from its public API alone, as a Certificate Transparency
 * monitor checks a log: no database, no configuration, only HTTP to the service's URL.
 *
 * Reads the DID document (the did:web location of the URL), a fresh signed checkpoint (the
 * head), the stored checkpoints and every entry, recomputes the chain and verifies every
 * checkpoint's signature, and holds the log to the checkpoints the verifier kept.
 */
import { type AuditCheckpoint, parseCheckpoint, type StoredCheckpoint } from './checkpoint.js';
import { AuditError } from './errors.js';
import type { KeyDocument } from './keyring.js';
import type { AuditEntry } from './verify-chain.js';
import { type AuditVerification, verifyLog } from './verify-log.js';

/** Where the service lives: its base URL (PUBLIC_URL), DID, and DID document URL. */
export interface RemoteLog {
  readonly baseUrl: string;
  readonly did: string;
  readonly documentUrl: string;
  /** Checkpoints obtained earlier (e.g. read with readKeptCheckpoint). */
  readonly kept?: readonly AuditCheckpoint[];
  /** Injected for tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
}

const PAGE = 500;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Verifies the log served at `baseUrl` (see the module notes). Throws AuditError `unreachable` when the service cannot be read. */
export async function verifyRemoteLog(remote: RemoteLog): Promise<AuditVerification> {
  const get = (path: string) => getJson(remote.fetch ?? fetch, new URL(path, `${remote.baseUrl}/`).href);
  const document = (await getJson(remote.fetch ?? fetch, remote.documentUrl)) as KeyDocument;
  if (document?.id !== remote.did) {
    throw new AuditError(
      'unreachable',
      `the DID document at ${remote.documentUrl} is not that of ${remote.did}`,
    );
  }
  // The head as the service signs it now: it is held to the log like a kept checkpoint.
  const head = parseCheckpoint(await get('api/v1/audit/checkpoint'));
  const checkpoints = async (): Promise<StoredCheckpoint[]> => {
    const all: StoredCheckpoint[] = [];
    for (let after = 0; ; ) {
      const page = (await get(`api/v1/audit/checkpoints?after=${after}&limit=${PAGE}`)) as {
        items?: unknown[];
        next?: number | null;
      };
      for (const item of page.items ?? []) all.push({ ...parseCheckpoint(item), consistent: true });
      if (typeof page.next !== 'number' || page.next <= after) return all;
      after = page.next;
    }
  };
  async function* entries(upTo: number): AsyncGenerator<AuditEntry> {
    for (let after = 0; after < upTo; ) {
      const page = (await get(`api/v1/audit?after=${after}&limit=${PAGE}`)) as {
        items?: AuditEntry[];
        next?: number | null;
      };
      for (const entry of page.items ?? []) {
        if (entry.sequence > upTo) return;
        yield entry;
      }
      if (typeof page.next !== 'number' || page.next <= after) return;
      after = page.next;
    }
  }
  const kept = remote.kept ?? [];
  const result = await verifyLog(
    { checkpoints, head: async () => ({ size: head.size, headHash: head.headHash }), entries },
    { document: async () => document, kept: [...kept, head] },
  );
  // `kept` reports the verifier's own checkpoints, as in a local verification: the signed head
  // fetched above is held to the log too, but it is not one the verifier kept.
  return result.valid ? { ...result, kept: kept.length } : result;
}

/** Reads a kept checkpoint from a file's text or from a URL (https, or http on loopback). */
export async function readKeptCheckpoint(
  where: string,
  readFile: (path: string) => string,
  fetcher: typeof fetch = fetch,
): Promise<AuditCheckpoint> {
  if (/^https?:\/\//.test(where)) return parseCheckpoint(await getJson(fetcher, where));
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(where));
  } catch (error) {
    throw new AuditError(
      'invalid_checkpoint',
      `cannot read a checkpoint from ${where}: ${(error as Error).message}`,
    );
  }
  return parseCheckpoint(parsed);
}

async function getJson(fetcher: typeof fetch, url: string): Promise<unknown> {
  const parsed = new URL(url);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new AuditError('unreachable', `${url}: only https (or http on loopback) is read`);
  }
  let response: Response;
  try {
    response = await fetcher(url, { redirect: 'error', signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new AuditError('unreachable', `${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new AuditError('unreachable', `${url}: HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES)
    throw new AuditError('unreachable', `${url}: the response is too large`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AuditError('unreachable', `${url}: the response is not JSON`);
  }
}
