import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { ProcessorContext } from '../../../src/streams/processor/processor.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import type { ConsumedRecord, KafkaAdmin, KafkaConsumer, KafkaProducer, RunOptions } from '../../../src/streams/kafka/index.js';
import { kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';
import { StreamThread } from '../../../src/streams/runtime/stream-thread.js';
import { planTopicLayout } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { ManualTimers } from '../../../src/streams/time/timers.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A thread on fake clients whose one task has a wall-clock punctuator every `intervalMs`, recording when it fires. */
async function threadWithPunctuator(intervalMs: number, commitIntervalMs: number) {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-punct-'));
  dirs.push(stateDir);
  const clock = new ManualClock(1_000);
  const timers = new ManualTimers(clock);
  const fired: number[] = [];
  const plan = new Topology()
    .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
    .addProcessor(
      'ticker',
      () => ({
        init(context: ProcessorContext) {
          context.schedule(intervalMs, 'WALL_CLOCK_TIME', (t) => void fired.push(t));
        },
        process: () => {},
      }),
      'src',
    )[TOPOLOGY_INTERNALS]
    .plan('app');
  const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], commitIntervalMs, stateDir, clock, timers });
  let run: RunOptions | undefined;
  const consumer: KafkaConsumer = {
    subscribe: async () => {},
    run: async (o) => void (run = o),
    commit: async () => {},
    seek: () => {},
    pause: () => {},
    resume: () => {},
    close: async () => {},
  };
  const producer = { send: async () => [], transaction: async () => ({}), close: async () => {} } as unknown as KafkaProducer;
  const admin = { partitionCount: async () => 1, endOffsets: async () => [] } as unknown as KafkaAdmin;
  const thread = new StreamThread({
    config: streamsConfig(streams),
    options: runtime,
    plan,
    layout: planTopicLayout(plan, 'app', new Map([['in', 1]]), new Map()),
    connection: { brokers: ['h:1'] },
    admin,
    consumer,
    producer,
    onFatal: () => {},
    onRebalance: () => {},
  });
  await thread.start();
  run?.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
  await vi.waitFor(() => expect(timers.armed.some((t) => t.dueMs === 1_000 + intervalMs)).toBe(true));
  /** Moves time forward 1 ms at a time, letting the executor run each job a timer queued. */
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      timers.advance(1);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const feed = (offset: number) => {
    const r: ConsumedRecord = { topic: 'in', partition: 0, offset: String(offset), key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1, headers: {} };
    return run?.eachBatch({ topic: 'in', partition: 0, records: [r], highWatermark: '99', resolveOffset: () => {}, heartbeat: async () => {}, isStale: () => false });
  };
  return { thread, fired, advance, feed, timers };
}

describe('StreamThread wall-clock punctuation (ManualClock and ManualTimers, fake Kafka clients)', () => {
  it('fires a 20 ms punctuator every 20 ms with no records arriving, although commits are only due every 100 ms', async () => {
    const { thread, fired, advance } = await threadWithPunctuator(20, 100);
    await advance(100);
    expect(fired).toEqual([1_020, 1_040, 1_060, 1_080, 1_100]);
    await thread.stop();
  });

  it('keeps its own interval when records arrive in between', async () => {
    const { thread, fired, advance, feed } = await threadWithPunctuator(30, 100);
    await advance(10);
    await feed(0);
    await advance(25);
    await feed(1);
    await advance(30);
    expect(fired).toEqual([1_030, 1_060]);
    await thread.stop();
  });

  it('leaves no timer armed once stopped', async () => {
    const { thread, timers } = await threadWithPunctuator(50, 100);
    expect(timers.armed.length).toBe(2); // the commit tick and the punctuator
    await thread.stop();
    expect(timers.armed).toEqual([]);
  });
});
