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
 * each value, in model order) that the topology computed for two histories
 * before issue 14 rewrote the card state's layout. The layout may change how
 * state is kept, never what the model sees: a digest that moves means the
 * features changed, and the model would be served something it was not
 * trained on.
 */
const GOLDEN = {
  small: { rows: 1701, digest: '0a6479fd5f3aa22664df79b97af4e5bdecbc0bfa918a38ce56325d6b1bab2c0c' },
  simulated: { rows: 25384, digest: '923965b7903e140461aaa11f4bd5b49e1636daf515d63c705a2df9aa1a06d649' },
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
