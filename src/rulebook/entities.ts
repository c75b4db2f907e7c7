import { EntitySchema } from 'typeorm';

/** One adopted rulebook version (migration RulebookVersions1795000000030). */
export interface RulebookVersionRow {
  version: string;
  /** 1 for the first adoption, +1 for each later one; the highest is current. */
  sequence: number;
  /** Lower-case hex SHA-256 of `content`. */
  hash: string;
  /** The canonical JSON of the rulebook. */
  content: string;
  adoptedAt: string;
  /** `operator` for the rulebook adopted at first start, else the id of the amend-rulebook motion. */
  adoptedBy: string;
}

export const RulebookVersionEntity = new EntitySchema<RulebookVersionRow>({
  name: 'RulebookVersion',
  tableName: 'rulebook_version',
  columns: {
    version: { type: 'varchar', length: 64, primary: true },
    sequence: { type: 'integer' },
    hash: { type: 'varchar', length: 64 },
    content: { type: 'text' },
    adoptedAt: { name: 'adopted_at', type: 'varchar', length: 32 },
    adoptedBy: { name: 'adopted_by', type: 'varchar', length: 200 },
  },
  indices: [{ name: 'rulebook_version_sequence', columns: ['sequence'], unique: true }],
});

/** Every entity the rulebook capability needs in the data source. */
export const RULEBOOK_ENTITIES = [RulebookVersionEntity];
