import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxScorer } from '../../src/fraud/model/onnx-scorer.js';
import { replay, type ReplayResult } from '../../src/fraud/replay/index.js';
import type { FixtureManifest } from '../../src/fraud/simulator/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import {
  central,
  createTopics,
  defer,
  engineTopics,
  groupProgress,
  MODEL,
  registryUrl,
  spawnDispatcher,
  spawnEngine,
  tempDir,
  waitUntil,
  type Child,
  type EngineTopics,
} from './harness.js';
import { generateFixture, reference, type Reference } from './reference.js';

export const SECRET_TEXT = WebhookSecret.generate(Buffer.alloc(32, 9));
export const SECRET = WebhookSecret.parse(SECRET_TEXT);

export interface Run {
  fixtureDir: string;
  manifest: FixtureManifest;
  topics: EngineTopics;
  appId: string;
  stateDir: string;
  expected: Reference;
}

/** A seeded fixture, fresh one-partition topics for it, and the driver's reference output. */
export async function prepareRun(prefix: string, fixture: { seed: number; users: number; days: number }): Promise<Run> {
  const fixtureDir = join(tempDir('fixture'), 'fx');
  const manifest = await generateFixture(fixtureDir, fixture);
  const topics = engineTopics(prefix);
  await createEngineTopics(topics);
  const scorer = await OnnxScorer.load({ modelPath: MODEL });
  defer(() => scorer.close());
  const expected = await reference(fixtureDir, scorer, topics);
  return { fixtureDir, manifest, topics, appId: `chaos-${prefix}-${topics.alerts.split('.')[0]}`, stateDir: tempDir('state'), expected };
}

/** The scenario's fraud topics on central, one partition each: offsets, and so alert ids, match the one-partition driver. */
export async function createEngineTopics(topics: ReturnType<typeof engineTopics>): Promise<void> {
  await createTopics(central(), [
    { topic: topics.transactions },
    { topic: topics.userProfiles, compacted: true },
    { topic: topics.alerts },
    { topic: topics.deadLetter },
  ]);
}

export function startEngine(run: Run): Child {
  return spawnEngine({ appId: run.appId, instanceId: 'engine-1', stateDir: run.stateDir, topics: run.topics, dumpFile: join(run.stateDir, 'dump.json') });
}

export function replayRun(run: Run, speed: number | 'max' = 'max'): Promise<ReplayResult> {
  return replay({
    fixtureDir: run.fixtureDir,
    targets: { primary: central() },
    registryUrl: registryUrl(),
    speed,
    topics: { transactions: run.topics.transactions, profiles: run.topics.userProfiles },
    createTopics: false,
  });
}

/** Until the engine committed every transaction offset of the fixture. */
export async function engineDone(run: Run, timeoutMs = 300_000): Promise<void> {
  await waitUntil(async () => {
    try {
      const p = await groupProgress(central(), run.appId, run.topics.transactions);
      return p.end === BigInt(run.manifest.counts.transactions) && p.committed === p.end;
    } catch {
      return false; // the broker may be restarting
    }
  }, timeoutMs, 'the engine to commit every transaction', 1_000);
}

export interface DispatcherSetup {
  configPath: string;
  groupId: string;
  dlqTopic: string;
  start(): Child;
}

/** A `vigil dispatch` config for one endpoint on `alertsTopic`, with its own group, state and DLQ topics. */
export async function dispatcherFor(alertsTopic: string, name: string, endpointUrl: string, options: { retry?: object; concurrency?: number } = {}): Promise<DispatcherSetup> {
  const groupId = `${alertsTopic}.${name}`;
  const dlqTopic = `${groupId}.dlq`;
  await createTopics(central(), [{ topic: dlqTopic }]);
  const configPath = join(tempDir('dispatch'), 'webhooks.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      alertsTopic,
      groupId,
      dlqTopic,
      stateTopic: `${groupId}.state`,
      commitIntervalMs: 200,
      ...(options.retry ? { retry: options.retry } : {}),
      endpoints: [{ name: 'soc', url: endpointUrl, secrets: ['env:HOOK_SECRET'], concurrency: options.concurrency ?? 4 }],
    }),
  );
  return { configPath, groupId, dlqTopic, start: () => spawnDispatcher(configPath, { HOOK_SECRET: SECRET_TEXT }) };
}
