import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicExists } from '../../src/cluster/readiness.js';
import { replay } from '../../src/fraud/replay/index.js';
import { readLabelledTransactions } from '../../src/fraud/simulator/fixture-reader.js';
import { decodeTransactions } from './alerts.js';
import { central, createTopics, readToEnd, regionBrokers, registryUrl, restartJvm, tempDir, waitUntil, writeResult } from './harness.js';
import { generateFixture } from './reference.js';
import { connectAdmin } from '../../src/streams/runtime/kafka/index.js';

const FIXTURE = { seed: 41, users: 1_500, days: 7 };
const MIRRORED = ['us-east.transactions', 'us-west.transactions'];

async function mirroredCount(): Promise<number> {
  const admin = await connectAdmin({ brokers: central() });
  try {
    let n = 0;
    for (const topic of MIRRORED) for (const o of await admin.endOffsets(topic)) n += Number(o.offset);
    return n;
  } finally {
    await admin.close();
  }
}

describe('MirrorMaker 2 restarted mid-stream', () => {
  it('every regional transaction reaches central exactly once (counted by transaction id in the mirrored topics)', { timeout: 900_000 }, async () => {
    const fixtureDir = join(tempDir('fixture'), 'fx');
    const manifest = await generateFixture(fixtureDir, FIXTURE);
    const profiles = `mirror-${Math.random().toString(36).slice(2, 8)}.user-profiles`;
    await createTopics(central(), [{ topic: profiles, compacted: true }]);
    const already = await mirroredCount();
    expect(already, 'the mirrored topics are this scenario\'s alone').toBe(0);

    // Paced so the replay spans about 40 s and the restart lands in its middle.
    const speed = Math.ceil((manifest.end_ms - manifest.start_ms) / 40_000);
    const replayed = replay({
      fixtureDir,
      targets: { primary: central(), regions: { 'us-east': regionBrokers('us-east'), 'us-west': regionBrokers('us-west') } },
      registryUrl: registryUrl(),
      speed,
      topics: { transactions: 'transactions', profiles },
      createTopics: false,
    });
    replayed.catch(() => undefined);
    await waitUntil(async () => (await mirroredCount()) > 0, 120_000, 'the first mirrored transaction', 500);
    await sleep(8_000);
    const mirroredBefore = await mirroredCount();
    const restart = await restartJvm('mirror-maker', { downMs: 2_000 });
    const restartedAt = Date.now();
    const sent = await replayed;
    const replayMs = sent.elapsedMs;
    // Caught up when central holds every regional transaction and nothing more arrives for 10 s.
    let last = -1;
    let stableSince = Date.now();
    await waitUntil(async () => {
      const n = await mirroredCount();
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      }
      return n >= sent.transactions && Date.now() - stableSince > 10_000;
    }, 300_000, 'central to hold every regional transaction', 1_000);
    const caughtUpMs = Date.now() - restartedAt;
    expect(await topicExists(central().join(','), MIRRORED[0] as string)).toBe(true);

    const records = await readToEnd(central(), MIRRORED, 'read_uncommitted');
    const txs = await decodeTransactions(['transactions'], records.map((r) => ({ ...r, topic: 'transactions' })));
    const counts = new Map<string, number>();
    for (const t of txs) counts.set(t.transaction_id, (counts.get(t.transaction_id) ?? 0) + 1);
    const expectedIds: string[] = [];
    for await (const { transaction } of readLabelledTransactions(fixtureDir)) expectedIds.push(transaction.transaction_id);
    const lost = expectedIds.filter((id) => !counts.has(id)).length;
    const duplicated = [...counts.values()].reduce((s, n) => s + n - 1, 0);
    const byRegion = Object.fromEntries(MIRRORED.map((t) => [t, records.filter((r) => r.topic === t).length]));
    writeResult('mirror-restart', {
      transactions: sent.transactions,
      byCluster: sent.byCluster,
      mirroredByTopic: byRegion,
      restarts: 1,
      mirroredBeforeRestart: mirroredBefore,
      mirrorMaker: { stopMs: restart.stopMs, downMs: 2_000 },
      replayMs,
      caughtUpAfterRestartMs: caughtUpMs,
      lost,
      duplicated,
    });
    expect(mirroredBefore).toBeLessThan(sent.transactions);
    expect(sent.transactions).toBe(manifest.counts.transactions);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(records.length).toBe(expectedIds.length);
  });
});
