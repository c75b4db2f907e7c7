import { createHash, randomBytes } from 'node:crypto';
import { type DataSource, LessThan } from 'typeorm';
import { exclusive, reading } from '../db/index.js';
import { GovernanceError } from '../governance/errors.js';
import { ChallengeEntity } from './entities.js';

export const CHALLENGE_TTL_SECONDS = 600;

const hash = (challenge: string) => createHash('sha256').update(challenge).digest('hex');

/**
 * One-time challenges for applicants: handed out with the service DID as the audience, valid
 * for ten minutes, stored only as a hash. Spending one is the presentation pipeline's job
 * (its nonce store), so a challenge verifies once across all replicas.
 */
export class Challenges {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date,
  ) {}

  async issue(): Promise<{ challenge: string; expiresAt: string }> {
    const challenge = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000).toISOString();
    await exclusive(this.dataSource, async () => {
      const repository = this.dataSource.getRepository(ChallengeEntity);
      await repository.delete({ expiresAt: LessThan(now.toISOString()) });
      await repository.insert({ challengeHash: hash(challenge), expiresAt });
    });
    return { challenge, expiresAt };
  }

  /** Refuses a challenge this service did not hand out, or one that has expired. */
  async requireKnown(challenge: unknown): Promise<string> {
    if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 200) {
      throw new GovernanceError(
        400,
        'invalid_challenge',
        'the presentation carries no challenge (nonce) from this service',
      );
    }
    const row = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(ChallengeEntity).findOneBy({ challengeHash: hash(challenge) }),
    );
    if (!row)
      throw new GovernanceError(400, 'invalid_challenge', 'this service did not hand out that challenge');
    if (Date.parse(row.expiresAt) < this.now().getTime()) {
      throw new GovernanceError(400, 'expired_challenge', 'the challenge has expired; fetch a new one');
    }
    return challenge;
  }
}
