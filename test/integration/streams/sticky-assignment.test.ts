import { describe, expect, it } from 'vitest';
import type { KafkaStreams } from '../../../src/streams/runtime/index.js';
import { uniqueName } from '../helpers.js';
import { createTopics, groupProgress, produce, spawnCountApp, startStreams, tempStateDir, waitUntil } from './helpers.js';
import type { ChildApp, KeyValueRecord } from './helpers.js';
import { countOnly } from './topologies.js';

/** Recent timestamps: the broker's time-based retention would delete records stamped in 1970. */
const NOW = Date.now() - 60 * 60 * 1000;
const ALL = ['0_0', '0_1', '0_2', '0_3'];

const clicks = (from: number, n: number): KeyValueRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${((from + i) * 17) % 300}`, value: `v${from + i}`, timestamp: NOW + from + i }));

/** Every task instance b held at any moment, sampled every 10 ms until `stop()`. */
function watchTasks(b: KafkaStreams): { seen: Set<string>; stop(): void } {
  const seen = new Set<string>(b.localTaskIds());
  const timer = setInterval(() => {
    for (const t of b.localTaskIds()) seen.add(t);
  }, 10);
  return { seen, stop: () => clearInterval(timer) };
}

/** Tasks a child instance restored, from its `{"restored", "task", "from"}` lines. */
const restoredBy = (app: ChildApp): Map<string, string> => new Map(app.events.filter((e) => typeof e.task === 'string').map((e) => [e.task as string, String(e.from)]));

describe('sticky assignment on the broker (exactly_once, two instances)', () => {
  async function twoInstances() {
    const topics = { clicks: uniqueName('sticky-clicks'), counts: uniqueName('sticky-counts') };
    await createTopics(4, topics.clicks, topics.counts);
    const applicationId = uniqueName('sticky');
    const b = await startStreams(countOnly(topics), { applicationId, instanceId: 'b', processingGuarantee: 'exactly_once', cachingEnabled: false, stateDir: tempStateDir() });
    const env = { APP_ID: applicationId, INSTANCE_ID: 'a', CLICKS: topics.clicks, COUNTS: topics.counts, STATE_DIR: tempStateDir(), GUARANTEE: 'exactly_once' };
    const a = spawnCountApp(env);
    await waitUntil(() => b.localTaskIds().length === 2 && b.state === 'RUNNING', 90_000, 'the two instances to share the tasks');
    await produce(topics.clicks, clicks(0, 4_000));
    await waitUntil(async () => {
      const p = await groupProgress(applicationId, topics.clicks);
      return p.committed === p.end;
    }, 60_000, 'both instances to commit the first 4000 clicks');
    const bTasks = b.localTaskIds();
    const aTasks = ALL.filter((t) => !bTasks.includes(t));
    return { topics, applicationId, b, env, a, bTasks, aTasks };
  }

  async function processesMore(applicationId: string, topic: string, from: number): Promise<void> {
    await produce(topic, clicks(from, 1_000));
    await waitUntil(async () => {
      const p = await groupProgress(applicationId, topic);
      return p.committed === p.end;
    }, 60_000, 'the restarted pair to commit the new clicks');
  }

  // The member id starts with the instance id, so with a stable id even the old round robin kept this pair's
  // order; a new id (the default one is random per process) sorting after b's is what round robin reshuffled.
  it.each([
    { id: 'a', what: 'the same instance id' },
    { id: 'c', what: 'a new instance id' },
  ])('after a crash (kill -9) and restart under $what, no task moves to the other: the restarted one gets exactly its tasks back', { timeout: 240_000 }, async ({ id }) => {
    const { topics, applicationId, b, env, a, bTasks, aTasks } = await twoInstances();
    const watch = watchTasks(b);
    await a.kill('SIGKILL');
    const restarted = spawnCountApp({ ...env, INSTANCE_ID: id }); // same state directory (the dead process's lock is taken over)
    await restarted.waitForEvent((e) => e.state === 'RUNNING', 90_000);
    await waitUntil(() => aTasks.every((t) => restoredBy(restarted).has(t)) && b.state === 'RUNNING', 60_000, 'the restarted instance to restore its tasks');
    await processesMore(applicationId, topics.clicks, 4_000);
    watch.stop();
    expect([...watch.seen].sort()).toEqual(bTasks);
    expect(b.localTaskIds()).toEqual(bTasks);
    expect([...restoredBy(restarted).keys()].sort()).toEqual(aTasks);
    expect(await restarted.kill('SIGTERM')).toBe(0);
  });

  it('after a clean restart under a new instance id, the tasks whose state it kept come back to it and resume from their checkpoints', { timeout: 240_000 }, async () => {
    const { topics, applicationId, b, env, a, bTasks, aTasks } = await twoInstances();
    // kafkajs leaves the group on close, so b covers a's tasks while a is away (see docs/runtime.md).
    expect(await a.kill('SIGTERM')).toBe(0);
    await waitUntil(() => b.localTaskIds().length === 4 && b.state === 'RUNNING', 60_000, 'b to cover every task while a is away');
    const restarted = spawnCountApp({ ...env, INSTANCE_ID: 'c' });
    await restarted.waitForEvent((e) => e.state === 'RUNNING', 90_000);
    await waitUntil(() => b.localTaskIds().length === 2 && b.state === 'RUNNING', 60_000, 'the tasks to be shared again');
    expect(b.localTaskIds()).toEqual(bTasks);
    await processesMore(applicationId, topics.clicks, 4_000);
    const restored = restoredBy(restarted);
    expect([...restored.keys()].sort()).toEqual(aTasks);
    // Warm: each task restored from the offset its checkpoint recorded, not from the changelog's start.
    for (const t of aTasks) expect(BigInt(restored.get(t) ?? '0'), `task ${t}`).toBeGreaterThan(0n);
    expect(await restarted.kill('SIGTERM')).toBe(0);
  });
});
