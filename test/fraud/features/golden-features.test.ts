import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLabelledTransactions, readProfiles, SHIFT_PRESETS, simulateAll } from '../../../src/fraud/simulator/index.js';
import { backfillFeatures } from '../../../src/fraud/topology/backfill.js';
import type { LabelledInput } from '../../../src/fraud/topology/backfill.js';
import type { UserProfile } from '../../../src/fraud/schema/types.js';

const SMALL = fileURLToPath(new URL('../../fixtures/small', import.meta.url));

/**
 * Golden digests of every feature vector (bit for bit: the float64 bytes of
 * each value, in model order) that the topology computes for two histories.
 * Recorded before issue 14 rewrote the card state's layout, which left them
 * unchanged; recorded again for `vigil-features-v3` (issue 15: positions
 * only where the payer's is known, the overall typical spend as fallback),
 * a deliberate change shipped with a model trained on it. A digest that moves
 * means the features changed, and the model would be served something it was
 * not trained on: change it only with FEATURE_SET_VERSION and the model.
 */
const GOLDEN = {
  small: { rows: 1701, digest: 'aaaf3ada7aee10c9f9e76c5a66347bc2a1a6c084a24cb71a88678bf357bc0e7a' },
  simulated: { rows: 25384, digest: '587bd180be0b7acdd144e493a2f687a60f8c665b2349c4d6900b0aa87d118ad8' },
};

async function digestOf(profiles: readonly UserProfile[], transactions: Iterable<LabelledInput>): Promise<{ rows: number; digest: string }> {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const row of backfillFeatures({ profiles, transactions })) {
    hash.update(row.transactionId);
    hash.update(new Uint8Array(Float64Array.from(row.features).buffer));
    rows++;
  }
  return { rows, digest: hash.digest('hex') };
}

describe('feature vectors are bit-identical to the recorded ones', () => {
  it('on the small fixture', async () => {
    const transactions: LabelledInput[] = [];
    for await (const t of readLabelledTransactions(SMALL)) transactions.push(t);
    expect(await digestOf(await readProfiles(SMALL), transactions)).toEqual(GOLDEN.small);
  });

  it('on a longer simulated history (800 users, 10 days, the training world: every scenario, oddities)', async () => {
    const train = SHIFT_PRESETS.train!;
    const sim = simulateAll({ seed: 20261205, users: 800, days: 10, startMs: Date.UTC(2026, 2, 1), fraudRate: train.fraudRate, scenarios: train.scenarios, shift: train.shift });
    expect(await digestOf(sim.profiles, sim.transactions)).toEqual(GOLDEN.simulated);
  }, 60_000);
});
