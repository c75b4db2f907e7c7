/**
 * The founding board from a file (FOUNDING_BOARD_FILE, docs/governance.md "The board"): the
 * operator's `board add` made declarative, so that a deployment seats its first board members
 * when it starts, with nothing typed. `start` seats each listed member not yet seated, through
 * `Board.addFounding` (the same checks, audit entry and credential, audited as by `operator`),
 * until the board has opened its first motion. From then on seats change only by motion: members
 * of the file not seated by then are reported (a warning), never seated. Replicas starting
 * together seat each member once (addFounding serialises on the audit head; a seat taken in the
 * meantime answers `already_board_member`, which is skipped).
 *
 * The file: `{ "members": [ { "did": "did:…", "name": "Alice", "affiliations": ["did:…"] } ] }`.
 * A file that does not read or does not have this shape stops the start (FoundingBoardFileError).
 */
import { readFile, stat } from 'node:fs/promises';
import { isDid } from '../trust/did-syntax.js';
import type { Board } from './board.js';
import { GovernanceError } from './errors.js';

export interface FoundingSeat {
  readonly did: string;
  readonly name: string;
  readonly affiliations: readonly string[];
}

const MAX_FILE_BYTES = 1_000_000;

/** FOUNDING_BOARD_FILE cannot be read or is not a founding board. */
export class FoundingBoardFileError extends Error {
  override readonly name = 'FoundingBoardFileError';
  readonly code = 'founding_board_invalid';
}

/** The members the file lists; throws FoundingBoardFileError naming the file and what is wrong. */
export async function readFoundingBoard(file: string): Promise<FoundingSeat[]> {
  const invalid = (why: string): never => {
    throw new FoundingBoardFileError(`FOUNDING_BOARD_FILE ${file}: ${why}`);
  };
  let value: unknown;
  try {
    // A board of at most 100 members fits in far less; a larger file is not read at all.
    if ((await stat(file)).size > MAX_FILE_BYTES) invalid(`larger than ${MAX_FILE_BYTES} bytes`);
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    invalid(`not a readable JSON file (${(error as Error).message})`);
  }
  const members = (value as { members?: unknown } | null)?.members;
  if (!Array.isArray(members) || members.length === 0 || members.length > 100)
    invalid('expected {"members": [...]} with 1 to 100 members');
  const seen = new Set<string>();
  return (members as unknown[]).map((entry, index) => {
    const { did, name, affiliations = [] } = (entry ?? {}) as Record<string, unknown>;
    if (!isDid(did) || did.length > 500) invalid(`members[${index}].did is not a DID`);
    if (typeof name !== 'string' || name.trim() === '' || name.trim().length > 200)
      invalid(`members[${index}].name must be 1 to 200 characters`);
    if (
      !Array.isArray(affiliations) ||
      affiliations.length > 20 ||
      !affiliations.every((a) => isDid(a) && a.length <= 500)
    )
      invalid(`members[${index}].affiliations must be at most 20 DIDs`);
    if (seen.has(did as string)) invalid(`members[${index}].did is listed twice`);
    seen.add(did as string);
    return { did: did as string, name: (name as string).trim(), affiliations: affiliations as string[] };
  });
}

export interface FoundingOutcome {
  /** Seated by this start. */
  readonly seated: readonly string[];
  /** Already seated (by an earlier start, another replica or `board add`). */
  readonly present: readonly string[];
  /** Not seated: the board had opened a motion (`board_constituted`). */
  readonly refused: readonly string[];
}

/**
 * Seats every listed member not yet seated while the board is being founded. The refusals of
 * `addFounding` other than `already_board_member` and `board_constituted` (a DID method the
 * rulebook does not allow on the board, the service's own DID) stop the start: the file is wrong.
 */
export async function seatFoundingBoard(
  board: Pick<Board, 'addFounding' | 'seat'>,
  seats: readonly FoundingSeat[],
): Promise<FoundingOutcome> {
  const seated: string[] = [];
  const present: string[] = [];
  const refused: string[] = [];
  for (const seat of seats) {
    if ((await board.seat(seat.did))?.status === 'active') {
      present.push(seat.did);
      continue;
    }
    try {
      await board.addFounding(seat);
      seated.push(seat.did);
    } catch (error) {
      if (error instanceof GovernanceError && error.code === 'already_board_member') present.push(seat.did);
      else if (error instanceof GovernanceError && error.code === 'board_constituted') refused.push(seat.did);
      else throw error;
    }
  }
  return { seated, present, refused };
}
