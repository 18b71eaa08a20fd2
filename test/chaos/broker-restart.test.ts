import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { compareById, decodeAlerts } from './alerts.js';
import { central, groupProgress, readToEnd, restartJvm, waitForBroker, waitUntil, writeResult } from './harness.js';
import { dispatcherFor, engineDone, prepareRun, replayRun, SECRET, startEngine } from './pipeline.js';
import { chaosReceiver } from './receiver.js';

const FIXTURE = { seed: 31, users: 1_000, days: 5 };

describe('central broker restarted mid-stream', () => {
  it('engine and dispatcher recover by themselves, without a process restart: the alerts equal the driver\'s, each delivered once after dedupe', { timeout: 900_000 }, async () => {
    const run = await prepareRun('broker', FIXTURE);
    const alertIds = run.expected.alerts.map((a) => a.alert_id).sort();
    const receiver = await chaosReceiver(SECRET);
    const d = await dispatcherFor(run.topics.alerts, 'broker', receiver.url);
    const dispatcher = d.start();
    const engine = startEngine(run);
    await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING');
    await dispatcher.waitForEvent((e) => e.msg === 'webhook dispatcher started', 120_000, 'the dispatcher to start');
    await replayRun(run);
    // Restart once the engine is well into the backlog and the dispatcher has delivered some alerts.
    await waitUntil(async () => (await groupProgress(central(), run.appId, run.topics.transactions)).committed >= BigInt(Math.floor(run.manifest.counts.transactions / 4)), 300_000, 'a quarter of the input processed', 250);
    const before = { committed: (await groupProgress(central(), run.appId, run.topics.transactions)).committed.toString(), delivered: receiver.first.length };
    const restart = await restartJvm('broker-central', { downMs: 5_000 });
    const readyMs = await waitForBroker(central());
    const restartedAt = Date.now();

    await engineDone(run, 600_000);
    const engineRecoveredMs = Date.now() - restartedAt;
    await waitUntil(() => receiver.first.length >= alertIds.length, 300_000, 'every alert at the receiver', 200).catch((e: Error) => {
      throw new Error(`${e.message}: ${new Set(receiver.first.map((x) => x.alertId)).size} of ${alertIds.length} distinct alerts arrived (${receiver.accepted.length} accepted requests)`);
    });
    const deliveredMs = Date.now() - restartedAt;
    await sleep(1_000);
    expect(dispatcher.alive(), 'the dispatcher process survived the broker restart').toBe(true);
    expect(engine.alive(), 'the engine process survived the broker restart').toBe(true);
    const engineRestarts = engine.events.filter((e) => e.restarted !== undefined).map((e) => ({ restarted: e.restarted, cause: e.cause }));
    expect(await engine.kill('SIGTERM')).toBe(0);
    expect(await dispatcher.kill('SIGTERM')).toBe(0);

    const alerts = await decodeAlerts(run.topics.alerts, await readToEnd(central(), [run.topics.alerts]));
    const cmp = compareById(run.expected.alerts, alerts, (a) => a.alert_id);
    const firstIds = receiver.first.map((x) => x.alertId);
    const distinct = [...new Set(firstIds)].sort();
    writeResult('broker-restart', {
      transactions: run.manifest.counts.transactions,
      restarts: 1,
      before,
      engineProcessRestarts: 0,
      engineInProcessRestarts: engineRestarts,
      broker: { stopMs: restart.stopMs, downMs: 5_000, readyMs },
      dispatcherRestarts: 0,
      engineCaughtUpAfterRestartMs: engineRecoveredMs,
      allDeliveredAfterRestartMs: deliveredMs,
      alerts: cmp,
      webhook: {
        alerts: alertIds.length,
        lost: alertIds.filter((id) => !distinct.includes(id)).length,
        duplicatesAfterDedupe: firstIds.length - distinct.length,
        redeliveriesAbsorbedByDedupe: receiver.accepted.length - receiver.first.length,
      },
    });
    expect(BigInt(before.committed)).toBeLessThan(BigInt(run.manifest.counts.transactions));
    expect(cmp).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, different: 0 });
    expect(distinct).toEqual(alertIds);
    expect(firstIds.length).toBe(distinct.length);
  });
});
