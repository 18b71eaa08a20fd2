import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicExists } from '../../src/cluster/readiness.js';
import { replay } from '../../src/fraud/replay/index.js';
import { readLabelledTransactions } from '../../src/fraud/simulator/fixture-reader.js';
import { decodeTransactions } from './alerts.js';
import { central, createTopics, readToEnd, regionBrokers, registryUrl, restartJvm, tempDir, waitUntil, writeResult } from './harness.js';
import { generateFixture } from './reference.js';
import { connectAdmin } from '../../src/streams/kafka/index.js';

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

/**
 * Replays a fixture into both regions, paced over ~40 s, and restarts
 * MirrorMaker 2 in the middle. The mirrored topics are shared by the
 * scenarios (MM2 mirrors `transactions`), so each one counts only its own
 * fixture's transaction ids (`tx-<seed>-<n>`) and the records after the
 * ends it found.
 */
async function mirrorScenario(seed: number, signal: 'SIGTERM' | 'SIGKILL') {
  const fixtureDir = join(tempDir('fixture'), 'fx');
  const manifest = await generateFixture(fixtureDir, { seed, users: 1_500, days: 7 });
  const profiles = `mirror-${Math.random().toString(36).slice(2, 8)}.user-profiles`;
  await createTopics(central(), [{ topic: profiles, compacted: true }]);
  const already = await mirroredCount();

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
  await waitUntil(async () => (await mirroredCount()) > already, 120_000, 'the first mirrored transaction', 500);
  await sleep(8_000);
  const mirroredBefore = (await mirroredCount()) - already;
  const restart = await restartJvm('mirror-maker', { signal, downMs: 2_000 });
  const restartedAt = Date.now();
  const sent = await replayed;
  // Caught up when central holds every regional transaction and nothing more arrives for 10 s.
  let last = -1;
  let stableSince = Date.now();
  await waitUntil(async () => {
    const n = (await mirroredCount()) - already;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
    return n >= sent.transactions && Date.now() - stableSince > 10_000;
  }, 300_000, 'central to hold every regional transaction', 1_000);
  const caughtUpMs = Date.now() - restartedAt;
  expect(await topicExists(central().join(','), MIRRORED[0] as string)).toBe(true);

  const prefix = `tx-${seed}-`;
  const records = await readToEnd(central(), MIRRORED, 'read_uncommitted');
  const txs = await decodeTransactions(['transactions'], records.map((r) => ({ ...r, topic: 'transactions' })));
  // Copies of one transaction and whether they are byte for byte the same record value.
  const copies = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  records.forEach((r, i) => {
    const id = (txs[i] as { transaction_id: string }).transaction_id;
    if (!id.startsWith(prefix)) return;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const values = copies.get(id) ?? new Set<string>();
    values.add(r.value?.toString('base64') ?? '');
    copies.set(id, values);
  });
  const expectedIds: string[] = [];
  for await (const { transaction } of readLabelledTransactions(fixtureDir)) expectedIds.push(transaction.transaction_id);
  return {
    manifest,
    sent,
    mirroredBefore,
    restart,
    caughtUpMs,
    expectedIds,
    lost: expectedIds.filter((id) => !counts.has(id)).length,
    duplicated: [...counts.values()].reduce((s, n) => s + n - 1, 0),
    differingCopies: [...copies.values()].filter((v) => v.size > 1).length,
    mirrored: [...counts.values()].reduce((s, n) => s + n, 0),
  };
}

describe('MirrorMaker 2 restarted mid-stream', () => {
  it('stopped (SIGTERM): every regional transaction reaches central exactly once (counted by transaction id in the mirrored topics)', { timeout: 900_000 }, async () => {
    const r = await mirrorScenario(41, 'SIGTERM');
    writeResult('mirror-restart', {
      transactions: r.sent.transactions,
      byCluster: r.sent.byCluster,
      restarts: 1,
      mirroredBeforeRestart: r.mirroredBefore,
      mirrorMaker: { stopMs: r.restart.stopMs, downMs: 2_000 },
      replayMs: r.sent.elapsedMs,
      caughtUpAfterRestartMs: r.caughtUpMs,
      lost: r.lost,
      duplicated: r.duplicated,
    });
    expect(r.mirroredBefore).toBeLessThan(r.sent.transactions);
    expect(r.sent.transactions).toBe(r.manifest.counts.transactions);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.mirrored).toBe(r.expectedIds.length);
  });

  it('killed (SIGKILL): nothing is lost, and every re-mirrored copy is byte-identical, so the engine\'s transaction-id dedupe counts it once', { timeout: 900_000 }, async () => {
    const r = await mirrorScenario(43, 'SIGKILL');
    writeResult('mirror-kill', {
      transactions: r.sent.transactions,
      byCluster: r.sent.byCluster,
      kills: 1,
      mirroredBeforeKill: r.mirroredBefore,
      mirrorMaker: { stopMs: r.restart.stopMs, downMs: 2_000 },
      replayMs: r.sent.elapsedMs,
      caughtUpAfterRestartMs: r.caughtUpMs,
      lost: r.lost,
      duplicatedInMirroredTopics: r.duplicated,
      differingCopies: r.differingCopies,
    });
    expect(r.mirroredBefore).toBeLessThan(r.sent.transactions);
    expect(r.sent.transactions).toBe(r.manifest.counts.transactions);
    expect(r.lost).toBe(0);
    // MM2 is at-least-once: after a kill it re-mirrors from its last flushed source offsets (at most 5 s of records).
    expect(r.differingCopies).toBe(0);
    expect(r.mirrored).toBe(r.expectedIds.length + r.duplicated);
  });
});
