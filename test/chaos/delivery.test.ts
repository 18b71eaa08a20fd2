import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectProducer } from '../../src/streams/kafka/index.js';
import { central, readToEnd, seeded, waitUntil, writeResult } from './harness.js';
import { dispatcherFor, engineDone, prepareRun, replayRun, SECRET, startEngine, type Run } from './pipeline.js';
import { chaosReceiver } from './receiver.js';

// About 17k transactions and 250 alerts: enough that delivery takes a while at the receiver's pace.
const FIXTURE = { seed: 21, users: 1_200, days: 5 };
const OUTAGE_MS = Number(process.env.VIGIL_CHAOS_OUTAGE_MS ?? 60_000);

/**
 * Attempts whose shortest total wait outlasts `outageMs` by 15 s: each delay
 * doubles from `baseMs` up to `maxMs`, and equal jitter can halve it.
 */
function attemptsOutlasting(outageMs: number, baseMs: number, maxMs: number): number {
  let attempts = 1;
  for (let shortest = 0; shortest < outageMs + 15_000; attempts++) shortest += Math.min(maxMs, baseMs * 2 ** (attempts - 1)) / 2;
  return attempts;
}

let run: Run;
let alertIds: string[];

// The engine turns the fixture into alerts once; each scenario delivers them with its own dispatcher group.
beforeAll(async () => {
  run = await prepareRun('delivery', FIXTURE);
  const engine = startEngine(run);
  await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING');
  await replayRun(run);
  await engineDone(run);
  expect(await engine.kill('SIGTERM')).toBe(0);
  // One record that is not an alert at all: the only thing that belongs in a webhook DLQ.
  const p = await connectProducer({ brokers: central() }, { idempotent: true });
  await p.send([{ topic: run.topics.alerts, key: 'poison', value: Buffer.from('not an alert') }]);
  await p.close();
  alertIds = run.expected.alerts.map((a) => a.alert_id).sort();
  expect(alertIds.length).toBeGreaterThan(50);
}, 600_000);

function dedupe(ids: string[]): { distinct: string[]; duplicates: number } {
  const distinct = [...new Set(ids)].sort();
  return { distinct, duplicates: ids.length - distinct.length };
}

/** The webhook DLQ: reason (its first word: `undecodable`, `exhausted`, `disabled`) and the alert record it stands for. */
async function deadLetters(topic: string): Promise<Array<{ reason: string; source: string }>> {
  return (await readToEnd(central(), [topic])).map((r) => ({
    reason: (r.headers['vigil-dlq-reason']?.toString() ?? '').split(' ')[0] as string,
    source: r.headers['vigil-dlq-source']?.toString() ?? '',
  }));
}

/** Distinct dead-lettered alert records: a dispatcher killed before committing past one dead-letters it again. */
const distinctDeadLetters = (dlq: Array<{ reason: string; source: string }>) => [...new Set(dlq.map((x) => `${x.reason} ${x.source}`))];

describe('alert delivery under faults', () => {
  it('dispatcher killed with SIGKILL mid-delivery 3 times: every alert reaches the receiver, exactly once after dedupe by webhook-id', async () => {
    const seed = Number(process.env.VIGIL_CHAOS_SEED ?? Date.now() % 100_000);
    const random = seeded(seed);
    // 150 ms per answer, two at a time: delivering every alert takes about 10 s.
    const receiver = await chaosReceiver(SECRET, { delayMs: 150 });
    const d = await dispatcherFor(run.topics.alerts, 'kill', receiver.url, { concurrency: 2 });
    const kills: Array<{ deliveredBefore: number; resumedRetries?: unknown }> = [];
    let dispatcher = d.start();
    for (let k = 0; k < 3; k++) {
      // Mid-delivery: this instance has delivered something, and more is waiting.
      const seenBefore = receiver.accepted.length;
      await waitUntil(() => receiver.accepted.length > seenBefore, 120_000, 'a delivery by this dispatcher instance', 50);
      await sleep(300 + random() * 1_200);
      kills.push({ deliveredBefore: receiver.first.length });
      await dispatcher.kill('SIGKILL');
      dispatcher = d.start();
    }
    await waitUntil(() => receiver.first.length >= alertIds.length, 180_000, 'every alert at the receiver', 200);
    // Let anything still in flight land, then stop cleanly.
    await sleep(1_000);
    expect(await dispatcher.kill('SIGTERM')).toBe(0);

    const delivered = dedupe(receiver.first.map((x) => x.alertId));
    const requests = dedupe(receiver.accepted.map((x) => x.alertId));
    const dlq = await deadLetters(d.dlqTopic);
    writeResult('dispatcher-kill', {
      seed,
      alerts: alertIds.length,
      kills: kills.length,
      deliveredBeforeEachKill: kills.map((k) => k.deliveredBefore),
      deliveredAfterDedupe: delivered.distinct.length,
      lost: alertIds.filter((id) => !delivered.distinct.includes(id)).length,
      duplicatesAfterDedupe: delivered.duplicates,
      redeliveriesAbsorbedByDedupe: requests.duplicates,
      deadLetters: dlq.length,
      distinctDeadLetters: distinctDeadLetters(dlq),
    });
    for (const k of kills) expect(k.deliveredBefore).toBeLessThan(alertIds.length);
    expect(delivered.duplicates).toBe(0);
    expect(delivered.distinct).toEqual(alertIds);
    expect(requests.distinct).toEqual(alertIds);
    // Only the poison record, once per dispatcher instance that read it at most.
    expect(distinctDeadLetters(dlq)).toEqual([`undecodable ${dlq[0]?.source}`]);
    expect(dlq.length).toBeLessThanOrEqual(kills.length + 1);
  });

  it(`receiver down for ${OUTAGE_MS / 1000} s mid-delivery: everything is delivered after it returns, within the retry schedule, and nothing is dead-lettered`, async () => {
    const receiver = await chaosReceiver(SECRET, { delayMs: 100 });
    // Backoff doubles from 500 ms to 10 s, with enough attempts that even the shortest schedule outlasts the
    // outage (20 for 60 s, 32 for the soak's 120 s). The default, 8 attempts from 500 ms, waits 32–64 s:
    // an outage of 60 s may dead-letter alerts that failed first.
    const retry = { maxAttempts: attemptsOutlasting(OUTAGE_MS, 500, 10_000), baseDelayMs: 500, maxDelayMs: 10_000 };
    const d = await dispatcherFor(run.topics.alerts, 'outage', receiver.url, { concurrency: 1, retry });
    const dispatcher = d.start();
    await waitUntil(() => receiver.first.length >= 10, 120_000, 'the first deliveries', 50);
    const before = receiver.first.length;
    const downAt = Date.now();
    await receiver.down();
    await sleep(OUTAGE_MS);
    await receiver.up();
    const upAt = Date.now();
    await waitUntil(() => receiver.first.length >= alertIds.length, 180_000, 'every alert at the receiver', 200);
    const lastAt = Math.max(...receiver.first.map((x) => x.at));
    await sleep(1_000);
    expect(await dispatcher.kill('SIGTERM')).toBe(0);

    const delivered = dedupe(receiver.first.map((x) => x.alertId));
    const dlq = await deadLetters(d.dlqTopic);
    const firstAfterUpMs = Math.min(...receiver.first.filter((x) => x.at >= upAt).map((x) => x.at)) - upAt;
    writeResult('receiver-down', {
      alerts: alertIds.length,
      outageMs: upAt - downAt,
      deliveredBeforeOutage: before,
      deliveredAfterDedupe: delivered.distinct.length,
      lost: alertIds.filter((id) => !delivered.distinct.includes(id)).length,
      duplicatesAfterDedupe: delivered.duplicates,
      firstDeliveryAfterRecoveryMs: firstAfterUpMs,
      allDeliveredAfterRecoveryMs: lastAt - upAt,
      retry,
      deadLetters: dlq.length,
      distinctDeadLetters: distinctDeadLetters(dlq),
    });
    expect(before).toBeLessThan(alertIds.length);
    expect(delivered.duplicates).toBe(0);
    expect(delivered.distinct).toEqual(alertIds);
    // Each waiting alert is retried at most maxDelayMs after the receiver returns.
    expect(firstAfterUpMs).toBeLessThanOrEqual(retry.maxDelayMs + 2_000);
    // No crash here: the poison record exactly once, and no alert.
    expect(dlq.map((x) => x.reason)).toEqual(['undecodable']);
  });
});
