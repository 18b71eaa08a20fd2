/**
 * Engine killed with SIGKILL five times during a replay of ~103k
 * transactions; the committed alerts and the feature stores must equal the
 * driver's. Kept out of CI until 2026-11-30: about one run in two lost the
 * fixture's first alert, which turned out to be the broker's 7-day time
 * retention deleting replayed records with old event times (see
 * createTopics in harness.ts and docs/RELIABILITY.md).
 *
 * VIGIL_CHAOS_SEED replays the kill points of a reported run;
 * VIGIL_CHAOS_KILLS, VIGIL_CHAOS_USERS and VIGIL_CHAOS_DAYS resize it
 * (`npm run bench -- chaos --soak` runs it at 20 kills on ~200k).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { OnnxScorer } from '../../src/fraud/model/onnx-scorer.js';
import { replay } from '../../src/fraud/replay/index.js';
import { compareById, decodeAlerts } from './alerts.js';
import { central, engineTopics, groupProgress, MODEL, readToEnd, registryUrl, seeded, spawnEngine, tempDir, waitUntil, writeResult } from './harness.js';
import { createEngineTopics } from './pipeline.js';
import { generateFixture, reference } from './reference.js';
import { diffEntries, type StoreDump } from './store-dump.js';

const KILLS = Number(process.env.VIGIL_CHAOS_KILLS ?? 5);
const DAYS = Number(process.env.VIGIL_CHAOS_DAYS ?? 16);
// 2,100 users over 16 days: about 103k transactions (the issue asks for at least 100k).
const FIXTURE = { seed: 9, users: Number(process.env.VIGIL_CHAOS_USERS ?? 2_100), days: DAYS };

describe('engine killed with SIGKILL during a replay', () => {
  it(`${KILLS} kills at random points: the committed alerts and the feature stores equal the driver's`, { timeout: 900_000 }, async () => {
    const seed = Number(process.env.VIGIL_CHAOS_SEED ?? Date.now() % 100_000);
    const random = seeded(seed);
    const fixtureDir = join(tempDir('fixture'), 'fx');
    const manifest = await generateFixture(fixtureDir, FIXTURE);
    if (!process.env.VIGIL_CHAOS_USERS && !process.env.VIGIL_CHAOS_DAYS) expect(manifest.counts.transactions).toBeGreaterThanOrEqual(100_000);

    const topics = engineTopics('kill');
    await createEngineTopics(topics);
    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    // The reference runs in this process while the engine works in its own.
    const expectedRun = reference(fixtureDir, scorer, topics);
    expectedRun.catch(() => undefined);

    const stateDir = tempDir('state');
    const dumpFile = join(stateDir, '..', `${topics.alerts}.dump.json`);
    const env = { appId: `chaos-kill-${topics.alerts.split('.')[0]}`, instanceId: 'engine-1', stateDir, topics, dumpFile };

    let engine = spawnEngine(env);
    await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING');
    const started = Date.now();
    const replayed = replay({
      fixtureDir,
      targets: { primary: central() },
      registryUrl: registryUrl(),
      speed: 'max',
      topics: { transactions: topics.transactions, profiles: topics.userProfiles },
      createTopics: false,
    });
    replayed.catch(() => undefined);

    const kills: Array<{ afterMs: number; committed: string; end: string; restoredBefore: number }> = [];
    for (let kill = 0; kill < KILLS; kill++) {
      // Kill points: a random share (20–80 %) of the work still to do, split over the kills to
      // come, measured by committed offsets, so every kill lands before the end however fast the
      // engine runs; then up to 300 ms more, so it can land anywhere in a commit interval.
      const runStarted = Date.now();
      const before = (await groupProgress(central(), env.appId, topics.transactions)).committed;
      const left = BigInt(manifest.counts.transactions) - before;
      const target = before + BigInt(Math.floor((Number(left) / (KILLS - kill)) * (0.2 + random() * 0.6)));
      await waitUntil(async () => (await groupProgress(central(), env.appId, topics.transactions)).committed >= target, 300_000, `kill ${kill + 1}: offset ${target} committed`, 200);
      await sleep(Math.round(random() * 300));
      const afterMs = Date.now() - runStarted;
      const restored = engine.events.filter((e) => typeof e.restored === 'number').reduce((s, e) => s + (e.restored as number), 0);
      await engine.kill('SIGKILL');
      const p = await groupProgress(central(), env.appId, topics.transactions);
      kills.push({ afterMs, committed: p.committed.toString(), end: p.end.toString(), restoredBefore: restored });
      engine = spawnEngine(env);
      await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING after a kill');
    }
    const sent = await replayed;
    await waitUntil(async () => {
      const p = await groupProgress(central(), env.appId, topics.transactions);
      return p.end === BigInt(sent.transactions) && p.committed === p.end;
    }, 600_000, 'the last instance to commit every transaction offset', 1_000);
    const processingMs = Date.now() - started;
    const restoredAfterLastKill = engine.events.filter((e) => typeof e.restored === 'number').reduce((s, e) => s + (e.restored as number), 0);

    // Window and card state as interactive queries show it, after every recovery.
    process.kill(engine.pid, 'SIGUSR2');
    await engine.waitForEvent((e) => e.dumped !== undefined || e.dumpFailed !== undefined, 60_000, 'the store dump');
    const dump = JSON.parse(readFileSync(dumpFile, 'utf8')) as StoreDump;
    expect(await engine.kill('SIGTERM')).toBe(0);

    const expected = await expectedRun;
    const alerts = await decodeAlerts(topics.alerts, await readToEnd(central(), [topics.alerts], 'read_committed'));
    const cmp = compareById(expected.alerts, alerts, (a) => a.alert_id);
    // The fixture has no bad input: anything here is a good record the engine failed to handle.
    const deadLettered = await readToEnd(central(), [topics.deadLetter], 'read_committed');
    const deadLetterReasons = [...new Set(deadLettered.map((r) => `${r.headers['vigil.error.code']?.toString() ?? '?'}: ${r.headers['vigil.error.message']?.toString().slice(0, 160) ?? ''}`))].slice(0, 5);
    const storesDiff = {
      cardState: diffEntries(expected.stores.cardState, dump.cardState),
      recent: diffEntries(expected.stores.recent, dump.recent),
    };
    const context = `seed ${seed}; kills ${JSON.stringify(kills)}`;
    writeResult('engine-kill', {
      seed,
      transactions: sent.transactions,
      kills: kills.length,
      killsBeforeAllCommitted: kills.filter((k) => BigInt(k.committed) < BigInt(sent.transactions)).length,
      killPoints: kills,
      alerts: cmp,
      deadLettered: deadLettered.length,
      deadLetterReasons,
      restoredChangelogRecordsAfterLastKill: restoredAfterLastKill,
      stores: { cardState: dump.cardState.length, recent: dump.recent.length, diff: storesDiff },
      processingMs,
      // For diagnosing a loss: what the last instance went through (rebalances, aborted commits).
      lastInstance: {
        states: engine.events.filter((e) => e.state !== undefined).map((e) => e.state),
        warnings: engine.events.filter((e) => (e.level === 'warn' || e.level === 'error') && e.source !== 'kafkajs').slice(-20),
        assignments: engine.events.filter((e) => e.msg === 'assignment applied').length,
      },
    });
    expect(sent.transactions).toBe(manifest.counts.transactions);
    // Every kill interrupted unfinished work.
    for (const k of kills) expect(BigInt(k.committed), context).toBeLessThan(BigInt(sent.transactions));
    expect(deadLetterReasons, context).toEqual([]);
    expect(cmp, context).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, different: 0 });
    expect(alerts.length).toBe(expected.alerts.length);
    expect(dump.cardState).toEqual(expected.stores.cardState);
    expect(dump.recent).toEqual(expected.stores.recent);
  });
});
