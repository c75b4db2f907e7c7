/**
 * The rulebook capability, assembled: the file is loaded and validated, the adopted versions
 * are reconciled with it, and the routes are built. The composition root calls `openRulebook`;
 * the governance engine uses `store` (current rulebook, adoption of amendments).
 */
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { Logger } from '../log/logger.js';
import { loadRulebook } from './loader.js';
import { rulebookRoutes } from './routes.js';
import type { Rulebook } from './rulebook.js';
import { type AdoptionStatus, RulebookStore, type RulebookStoreOptions } from './store.js';

export interface RulebookOptions {
  /** The directory holding rulebook.yaml or rulebook.json (config.rulebookDir). */
  readonly rulebookDir: string;
  readonly dataSource: DataSource;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Records the first adoption in its transaction (the audit log); see RulebookStoreOptions. */
  readonly recordFirstAdoption?: RulebookStoreOptions['recordFirstAdoption'];
}

export interface RulebookCapability {
  /** The adopted versions; `store.current()` is the rulebook in force. */
  readonly store: RulebookStore;
  /** The rulebook of the file, which may be a proposal (see `status`): not necessarily in force. */
  readonly file: Rulebook;
  /** How the file relates to the adopted versions at start. */
  readonly status: AdoptionStatus;
  readonly routers: readonly Router[];
}

/**
 * Loads the rulebook file (a RulebookError stops the start), adopts it when the database has
 * no rulebook yet, and logs how the file relates to the rulebook in force: a file proposing a
 * new version is reported, never adopted, because amendments are the board's decision.
 */
export async function openRulebook(options: RulebookOptions): Promise<RulebookCapability> {
  const file = loadRulebook(options.rulebookDir);
  const store = new RulebookStore({
    dataSource: options.dataSource,
    ...(options.now ? { now: options.now } : {}),
    ...(options.recordFirstAdoption ? { recordFirstAdoption: options.recordFirstAdoption } : {}),
  });
  const status = await store.ensureAdopted(file);
  const fields = { file: file.source, ...status };
  switch (status.status) {
    case 'adopted':
      options.logger.info(fields, `rulebook ${status.fileVersion} adopted from the file (first start)`);
      break;
    case 'current':
      options.logger.info(fields, `rulebook ${status.currentVersion} in force`);
      break;
    case 'proposed':
      options.logger.warn(
        fields,
        `the rulebook file proposes version ${status.fileVersion}; version ${status.currentVersion} stays in force until an amend-rulebook motion adopts it`,
      );
      break;
    case 'outdated':
      options.logger.warn(
        fields,
        `the rulebook file is version ${status.fileVersion}, older than version ${status.currentVersion} in force: update the file`,
      );
      break;
  }
  return { store, file, status, routers: [rulebookRoutes(store)] };
}
