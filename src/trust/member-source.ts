import type { MemberIssuer, MemberIssuerSource } from './types.js';

const byDid = (a: { did: string }, b: { did: string }) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0);

/**
 * A MemberIssuerSource over members held in memory (read afresh on every call): for a
 * registry without a database, such as the CLI's offline checks and unit tests. The service
 * itself uses the member registry's indexed queries.
 */
export function memberIssuersFrom(read: () => Promise<readonly MemberIssuer[]>): MemberIssuerSource {
  const listed = async (exclude: readonly string[]) =>
    [...(await read())].filter((member) => !exclude.includes(member.did)).sort(byDid);
  return {
    async get(did) {
      return (await read()).find((member) => member.did === did);
    },
    async page({ exclude, after, offset = 0, limit }) {
      const members = await listed(exclude);
      const start = after === undefined ? 0 : members.filter((member) => member.did <= after).length;
      return members.slice(start + offset, start + offset + limit);
    },
    async count({ exclude }) {
      return (await listed(exclude)).length;
    },
  };
}
