import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, isUniqueViolation } from '../db/index.js';
import { RulebookVersionEntity, type RulebookVersionRow } from './entities.js';
import { RulebookError, RulebookStoreError } from './errors.js';
import { parseRulebook } from './parse.js';
import type { Rulebook } from './rulebook.js';
import { compareSemver } from './semver.js';

/** `adoptedBy` of the rulebook the service adopts from its file at first start. */
export const OPERATOR = 'operator';

/** One adopted version, without its content. */
export interface RulebookVersionInfo {
  readonly version: string;
  readonly hash: string;
  readonly adoptedAt: Date;
  /** `operator`, or the id of the amend-rulebook motion that adopted it. */
  readonly adoptedBy: string;
  /** Whether it is the rulebook in force (the latest adopted). */
  readonly current: boolean;
}

export interface AdoptedRulebook extends RulebookVersionInfo {
  readonly rulebook: Rulebook;
}

/**
 * What `ensureAdopted` found, comparing the rulebook file with the adopted versions:
 * - `adopted`: the database held none; the file's rulebook is now adopted (by `operator`).
 * - `current`: the file is the current rulebook.
 * - `outdated`: the file is lower than the current version (the board has amended since).
 * - `proposed`: the file has a higher version that is not adopted; it takes effect only when
 *   an `amend-rulebook` motion passes.
 */
export interface AdoptionStatus {
  readonly status: 'adopted' | 'current' | 'outdated' | 'proposed';
  readonly fileVersion: string;
  readonly fileHash: string;
  readonly currentVersion: string;
}

export interface RulebookStoreOptions {
  readonly dataSource: DataSource;
  readonly now?: () => Date;
  /**
   * Records the first adoption (the operator's file, at first start) in the transaction that
   * adopts it, e.g. as an audit entry: no version comes into force without a trace.
   */
  readonly recordFirstAdoption?: (
    adopted: { readonly version: string; readonly hash: string },
    manager: EntityManager,
  ) => Promise<void>;
}

type Summary = Omit<RulebookVersionRow, 'content'>;
const SUMMARY_COLUMNS: (keyof RulebookVersionRow)[] = [
  'version',
  'sequence',
  'hash',
  'adoptedAt',
  'adoptedBy',
];

/**
 * The adopted rulebook versions (table `rulebook_version`). The database, not the file, says
 * which rulebook is in force: the file only seeds the first version, and every later version
 * is adopted by the board. A version's content never changes once adopted. Nothing is kept in
 * memory but parsed copies of immutable versions, so every replica sees an adoption at once
 * (`current`); `recent` is the bounded-age exception for request validation on hot paths.
 */
export class RulebookStore {
  readonly #dataSource: DataSource;
  readonly #now: () => Date;
  readonly #recordFirstAdoption: RulebookStoreOptions['recordFirstAdoption'];
  /** Parsed rulebooks by hash: a version's content never changes, so this never goes stale. */
  readonly #parsed = new Map<string, Rulebook>();
  /** The last read of `recent`: when it started, and its answer (shared by concurrent callers). */
  #recent: { readonly at: number; readonly answer: Promise<AdoptedRulebook> } | undefined;

  constructor(options: RulebookStoreOptions) {
    this.#dataSource = options.dataSource;
    this.#now = options.now ?? (() => new Date());
    this.#recordFirstAdoption = options.recordFirstAdoption;
  }

  /**
   * Run at start with the rulebook file. Adopts it (by `operator`) when no version is adopted
   * yet; otherwise adopts nothing and reports how the file relates to the adopted versions
   * (see AdoptionStatus). Throws RulebookError `rulebook_version_changed`, naming the file,
   * when the file carries an adopted version's number with different content. Safe when
   * several replicas start at once.
   */
  async ensureAdopted(file: Rulebook): Promise<AdoptionStatus> {
    for (let attempt = 0; ; attempt++) {
      const rows = await this.#summaries(this.#dataSource.manager);
      const current = rows.at(-1);
      if (!current) {
        try {
          const record = this.#recordFirstAdoption;
          if (record) {
            await inTransaction(this.#dataSource, undefined, async (manager) => {
              await this.adopt(file, { by: OPERATOR, manager });
              await record({ version: file.version, hash: file.hash }, manager);
            });
          } else {
            await this.adopt(file, { by: OPERATOR });
          }
          return report('adopted', file, file.version);
        } catch (error) {
          // Another replica adopted first: compare with what it adopted.
          const raced = (error instanceof RulebookStoreError && RACE_CODES.has(error.code)) || isBusy(error);
          if (raced && attempt < 2) continue;
          throw error;
        }
      }
      const same = rows.find((row) => row.version === file.version);
      if (same && same.hash !== file.hash) {
        throw new RulebookError(
          'rulebook_version_changed',
          `version ${file.version} was adopted at ${same.adoptedAt} (by ${same.adoptedBy}) with hash ${same.hash}, ` +
            `but this file's content hashes to ${file.hash}. An adopted version never changes: restore its content, ` +
            'or give the change a new version and put it to the board as an amend-rulebook motion',
          file.source,
        );
      }
      if (same) return report(same === current ? 'current' : 'outdated', file, current.version);
      const newer = compareSemver(file.version, current.version) > 0;
      return report(newer ? 'proposed' : 'outdated', file, current.version);
    }
  }

  /** The rulebook in force. Throws RulebookStoreError `rulebook_not_adopted` before the first adoption. */
  async current(options: { manager?: EntityManager } = {}): Promise<AdoptedRulebook> {
    const manager = options.manager ?? this.#dataSource.manager;
    const [row] = await manager
      .getRepository(RulebookVersionEntity)
      .find({ order: { sequence: 'DESC' }, take: 1 });
    if (!row) throw new RulebookStoreError('rulebook_not_adopted', 'no rulebook has been adopted yet');
    return this.#adopted(row, true);
  }

  /**
   * The rulebook in force as this process read it at most `maxAgeMs` ago, for hot paths that only
   * validate a request against its vocabularies (the agreement check's purposes): reading the
   * whole latest version on every request cost the check a query and a copy of the document.
   * An adoption elsewhere is seen within `maxAgeMs`; one through this store at once. Concurrent
   * callers share one read; a failed read is not kept. Anything that decides with the rulebook
   * (motions, applications, adoption) uses `current`.
   */
  recent(maxAgeMs: number): Promise<AdoptedRulebook> {
    const now = Date.now();
    const kept = this.#recent;
    if (kept && now - kept.at < maxAgeMs) return kept.answer;
    const answer = this.current();
    const entry = { at: now, answer };
    this.#recent = entry;
    answer.catch(() => {
      if (this.#recent === entry) this.#recent = undefined;
    });
    return answer;
  }

  /**
   * Makes `rulebook` the rulebook in force, adopted by `by` (the amend-rulebook motion's id,
   * or `operator`). Runs in `manager`'s transaction when given (the governance engine adopts
   * in the transaction that records the motion's decision), else in its own. Throws
   * RulebookStoreError: `rulebook_version_exists` when the version is already adopted,
   * `rulebook_version_not_newer` when it is not higher than the current version (semver
   * precedence), `rulebook_adoption_conflict` when another adoption committed concurrently
   * (on SQLite also when another connection's write made this one's snapshot stale).
   * A RangeError when `by` is empty or longer than 200 characters; a RulebookError when the
   * rulebook is not valid (only possible for one constructed by hand).
   */
  async adopt(
    rulebook: Rulebook,
    options: { by: string; manager?: EntityManager },
  ): Promise<AdoptedRulebook> {
    const { by } = options;
    if (typeof by !== 'string' || by.trim() === '' || by.length > 200) {
      throw new RangeError('adoptedBy must be a non-blank string of at most 200 characters');
    }
    // The constructor of Rulebook is public: make sure no unvalidated document is ever adopted.
    parseRulebook(JSON.parse(rulebook.canonical), rulebook.source);
    const insert = async (manager: EntityManager): Promise<RulebookVersionRow> => {
      const repository = manager.getRepository(RulebookVersionEntity);
      if (await repository.existsBy({ version: rulebook.version })) {
        throw new RulebookStoreError(
          'rulebook_version_exists',
          `rulebook version ${rulebook.version} is already adopted`,
        );
      }
      const [latest] = await repository.find({
        select: ['version', 'sequence'],
        order: { sequence: 'DESC' },
        take: 1,
      });
      if (latest && compareSemver(rulebook.version, latest.version) <= 0) {
        throw new RulebookStoreError(
          'rulebook_version_not_newer',
          `rulebook version ${rulebook.version} is not higher than the current version ${latest.version}`,
        );
      }
      const row: RulebookVersionRow = {
        version: rulebook.version,
        sequence: (latest?.sequence ?? 0) + 1,
        hash: rulebook.hash,
        content: rulebook.canonical,
        adoptedAt: this.#now().toISOString(),
        adoptedBy: by,
      };
      try {
        await repository.insert(row);
      } catch (error) {
        if (!isUniqueViolation(error) && !isBusy(error)) throw error;
        throw new RulebookStoreError(
          'rulebook_adoption_conflict',
          `another rulebook adoption committed while version ${rulebook.version} was being adopted`,
        );
      }
      return row;
    };
    const row = options.manager
      ? await insert(options.manager)
      : await inTransaction(this.#dataSource, undefined, insert);
    this.#parsed.set(row.hash, rulebook);
    this.#recent = undefined;
    return { ...info(row, true), rulebook };
  }

  /** Every adopted version, oldest first; the last is current. */
  async versions(): Promise<RulebookVersionInfo[]> {
    const rows = await this.#summaries(this.#dataSource.manager);
    return rows.map((row, index) => info(row, index === rows.length - 1));
  }

  /** One adopted version with its rulebook, or undefined when that version was never adopted. */
  async get(version: string): Promise<AdoptedRulebook | undefined> {
    const repository = this.#dataSource.getRepository(RulebookVersionEntity);
    const row = await repository.findOneBy({ version });
    if (!row) return undefined;
    const [latest] = await repository.find({
      select: ['version', 'sequence'],
      order: { sequence: 'DESC' },
      take: 1,
    });
    return this.#adopted(row, latest?.version === row.version);
  }

  async #summaries(manager: EntityManager): Promise<Summary[]> {
    return manager
      .getRepository(RulebookVersionEntity)
      .find({ select: SUMMARY_COLUMNS, order: { sequence: 'ASC' } });
  }

  /** The row as an AdoptedRulebook, its content checked against its hash (else `rulebook_corrupt`). */
  #adopted(row: RulebookVersionRow, current: boolean): AdoptedRulebook {
    return { ...info(row, current), rulebook: this.#rulebookOf(row) };
  }

  #rulebookOf(row: RulebookVersionRow): Rulebook {
    const cached = this.#parsed.get(row.hash);
    if (cached && cached.canonical === row.content) return cached;
    let rulebook: Rulebook;
    try {
      rulebook = parseRulebook(JSON.parse(row.content), `rulebook_version ${row.version}`);
    } catch (error) {
      throw new RulebookStoreError(
        'rulebook_corrupt',
        `stored rulebook ${row.version} is unreadable: ${(error as Error).message}`,
      );
    }
    if (
      rulebook.hash !== row.hash ||
      rulebook.canonical !== row.content ||
      rulebook.version !== row.version
    ) {
      throw new RulebookStoreError(
        'rulebook_corrupt',
        `stored rulebook ${row.version} does not match its hash ${row.hash}`,
      );
    }
    this.#parsed.set(row.hash, rulebook);
    return rulebook;
  }
}

/** What adopting the file at first start meets when another replica adopted in between. */
const RACE_CODES: ReadonlySet<string> = new Set([
  'rulebook_adoption_conflict',
  'rulebook_version_exists',
  'rulebook_version_not_newer',
]);

/**
 * SQLite's refusal to let a transaction write after another connection committed since it
 * read (WAL: SQLITE_BUSY_SNAPSHOT, reported without waiting): the SQLite form of a write race.
 */
function isBusy(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function info(row: Summary, current: boolean): RulebookVersionInfo {
  return {
    version: row.version,
    hash: row.hash,
    adoptedAt: new Date(row.adoptedAt),
    adoptedBy: row.adoptedBy,
    current,
  };
}

function report(status: AdoptionStatus['status'], file: Rulebook, currentVersion: string): AdoptionStatus {
  return { status, fileVersion: file.version, fileHash: file.hash, currentVersion };
}
