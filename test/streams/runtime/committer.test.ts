import { describe, expect, it } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { KafkaAdmin } from '../../../src/streams/kafka/index.js';
import { Committer } from '../../../src/streams/runtime/committer.js';
import { kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';
import type { RecordCollector } from '../../../src/streams/runtime/record-collector.js';
import type { TaskManager } from '../../../src/streams/runtime/task-manager.js';
import { ManualClock } from '../../../src/streams/time/clock.js';

/** A committer over a fake task manager whose writes the test settles by hand. */
function setup(o: { guarantee?: 'at_least_once' | 'exactly_once'; pipelined?: boolean } = {}) {
  const clock = new ManualClock(1_000);
  const { streams, runtime } = kafkaStreamsOptions({
    applicationId: 'app',
    brokers: ['h:1'],
    stateDir: '/tmp/unused',
    commitIntervalMs: 100,
    sessionTimeoutMs: 10_000,
    clock,
    processingGuarantee: o.guarantee ?? 'at_least_once',
    pipelinedCommits: o.pipelined ?? false,
  });
  const state = { rebalancing: false, lastHeartbeat: 1_000, failures: [] as unknown[], sealed: 0, writes: [] as Array<(ok: boolean) => void> };
  const tasks = {
    seal: async () => {
      state.sealed++;
      return { output: [], offsets: [], taken: [] };
    },
    write: (_sealed: unknown, abortIf: () => boolean) =>
      new Promise((resolve, reject) => {
        state.writes.push((ok) => (ok ? resolve(abortIf() ? undefined : { records: 1, offsets: 1 }) : reject(new Error('fenced'))));
      }),
  } as unknown as TaskManager;
  const committer = new Committer({
    config: streamsConfig(streams),
    options: runtime,
    tasks,
    collector: {} as RecordCollector,
    admin: {} as KafkaAdmin,
    rebalancing: () => state.rebalancing,
    lastHeartbeat: () => state.lastHeartbeat,
    stopping: () => false,
    failed: () => state.failures.length > 0,
    onFailure: (e) => void state.failures.push(e),
  });
  const settleWrite = async (ok = true): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    state.writes.shift()?.(ok);
  };
  return { clock, committer, state, settleWrite };
}

describe('Committer', () => {
  it('is due once the interval has passed since the last commit ended', async () => {
    const { clock, committer, settleWrite } = setup();
    expect(committer.due()).toBe(false);
    clock.advance(100);
    expect(committer.due()).toBe(true);
    const commit = committer.commit(false);
    clock.advance(30); // the write takes 30 ms
    await settleWrite();
    expect(await commit).toBe(true);
    clock.advance(99);
    expect(committer.due()).toBe(false); // counted from the write's end
    clock.advance(1);
    expect(committer.due()).toBe(true);
  });

  it('commits nothing while the group rebalances, and under exactly-once nothing past a session timeout without a heartbeat', async () => {
    const rebalancing = setup();
    rebalancing.state.rebalancing = true;
    expect(await rebalancing.committer.commit(false)).toBe(false);
    expect(rebalancing.state.sealed).toBe(0);

    const silent = setup({ guarantee: 'exactly_once' });
    silent.clock.advance(10_001);
    expect(await silent.committer.commit(false)).toBe(false);
    expect(silent.state.sealed).toBe(0);
    // The final commit is not held back by either guard.
    const final = silent.committer.commit(true);
    await silent.settleWrite();
    expect(await final).toBe(true);
  });

  it('pipelined: returns once sealed, keeps one commit in flight, and reports a failed write', async () => {
    const { committer, state, settleWrite } = setup({ pipelined: true });
    expect(await committer.commit(false)).toBe(true); // sealed, still being written
    expect(state.writes).toHaveLength(1);
    const second = committer.commit(false);
    await new Promise((r) => setImmediate(r));
    expect(state.sealed).toBe(1); // waits for the first to land before sealing
    await settleWrite(false);
    await committer.settle();
    expect(state.failures).toHaveLength(1);
    expect(await second).toBe(false); // the thread has failed: nothing more is committed
  });
});
