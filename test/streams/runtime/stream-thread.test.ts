import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { VigilError } from '../../../src/streams/errors.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import type { ConsumedRecord, KafkaAdmin, KafkaConsumer, KafkaProducer, KafkaTransaction, ProducedRecord, RunOptions, TopicPartitionOffset } from '../../../src/streams/kafka/index.js';
import { continueOnProductionError, kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';
import type { ProductionExceptionHandler } from '../../../src/streams/runtime/options.js';
import { StreamThread } from '../../../src/streams/runtime/stream-thread.js';
import { planTopicLayout, resolveSourcePatterns } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** in → out, except values "bad", which go to the topic "rejected" (which the fake producer refuses). */
function topology(): Topology {
  return new Topology()
    .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
    .addSink('sink', (_k: string, v: string) => (v === 'bad' ? 'rejected' : 'out'), { keySerde: S, valueSerde: S }, 'src');
}

class Fakes {
  run: RunOptions | undefined;
  readonly sent: ProducedRecord[] = [];
  readonly commits: TopicPartitionOffset[][] = [];
  readonly transactions: Array<{ records: ProducedRecord[]; offsets: TopicPartitionOffset[]; outcome: 'commit' | 'abort' | 'open' }> = [];
  readonly consumer: KafkaConsumer = {
    subscribe: async () => {},
    run: async (o) => {
      this.run = o;
    },
    commit: async (offsets) => void this.commits.push(offsets),
    seek: (o) => void this.seeks.push(o),
    pause: () => {},
    resume: () => {},
    close: async () => {},
  };
  readonly producer: KafkaProducer = {
    send: async (records) => {
      if (records.some((r) => r.topic === 'rejected')) throw new Error('MESSAGE_TOO_LARGE');
      this.sent.push(...records);
      return records.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: '0', logAppendTime: -1 }));
    },
    transaction: async () => {
      const tx = { records: [] as ProducedRecord[], offsets: [] as TopicPartitionOffset[], outcome: 'open' as 'commit' | 'abort' | 'open' };
      this.transactions.push(tx);
      const handle: KafkaTransaction = {
        send: async (records) => {
          await this.sendGate;
          if (records.some((r) => r.topic === 'rejected')) throw new Error('MESSAGE_TOO_LARGE');
          tx.records.push(...records);
          return [];
        },
        sendOffsets: async (_group, offsets) => void tx.offsets.push(...offsets),
        commit: async () => void (tx.outcome = 'commit'),
        abort: async () => void (tx.outcome = 'abort'),
      };
      return handle;
    },
    close: async () => {},
  };
  // Every transaction's markers are written at once: the last stable offset is past anything sent.
  readonly seeks: Array<{ topic: string; partition: number; offset: string }> = [];
  /** While set, transactional sends wait for it: a commit stays in flight. */
  sendGate: Promise<void> | undefined;
  /** What the group has committed, as the admin reads it (exactly-once tasks start there). */
  committed = new Map<string, string>([['in', '-1']]);
  readonly admin = {
    partitionCount: async () => 1,
    endOffsets: async () => [{ partition: 0, offset: String(Number.MAX_SAFE_INTEGER) }],
    committedOffsets: async (_group: string, topic: string) => [{ topic, partition: 0, offset: this.committed.get(topic) ?? '-1' }],
  } as unknown as KafkaAdmin;
}

function record(offset: number, value: string): ConsumedRecord {
  return { topic: 'in', partition: 0, offset: String(offset), key: Buffer.from(`k${offset}`), value: Buffer.from(value), timestamp: 1_000 + offset, headers: {} };
}

async function running(guarantee: 'at_least_once' | 'exactly_once', handler?: ProductionExceptionHandler, fakes = new Fakes(), extra: { pipelinedCommits?: boolean; eagerSends?: boolean; commitIntervalMs?: number } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-thread-'));
  dirs.push(stateDir);
  const clock = new ManualClock(0);
  const { streams, runtime } = kafkaStreamsOptions({
    applicationId: 'app',
    brokers: ['h:1'],
    processingGuarantee: guarantee,
    commitIntervalMs: 0, // commit after every record: each commit is observable
    stateDir,
    clock,
    ...(handler ? { productionExceptionHandler: handler } : {}),
    ...extra,
  });
  const config = streamsConfig(streams);
  const plan = topology()[TOPOLOGY_INTERNALS].plan('app');
  const layout = planTopicLayout(plan, 'app', new Map([['in', 1]]), new Map());
  const fatal: VigilError[] = [];
  const thread = new StreamThread({
    config,
    options: runtime,
    plan,
    layout,
    connection: { brokers: ['h:1'] },
    admin: fakes.admin,
    consumer: fakes.consumer,
    producer: fakes.producer,
    onFatal: (e) => void fatal.push(e),
    onRebalance: () => {},
  });
  await thread.start();
  const run = fakes.run as RunOptions;
  run.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
  await vi.waitFor(() => expect(thread.taskIds()).toEqual(['0_0']));
  const resolved: string[] = [];
  const feed = (records: ConsumedRecord[]) => run.eachBatch({ topic: 'in', partition: 0, records, highWatermark: '99', resolveOffset: (o) => void resolved.push(o), heartbeat: async () => {}, isStale: () => false });
  return { thread, fakes, fatal, feed, resolved, clock, run };
}

describe('StreamThread commits (fake Kafka clients)', () => {
  it('exactly-once: new tasks start from the offsets committed once their restoration settled, not from what the group handed out earlier', async () => {
    const { fakes } = await running('exactly_once');
    // Nothing committed yet in this fake: no seek (kafkajs' own resolution applies).
    expect(fakes.seeks).toEqual([]);
    fakes.committed.set('in', '42');
    const again = await running('exactly_once', undefined, fakes);
    expect(again.fakes.seeks).toEqual([{ topic: 'in', partition: 0, offset: '42' }]);
  });

  it('at-least-once: sends the output, then commits the offset after the last processed record', async () => {
    const { thread, fakes, feed, resolved } = await running('at_least_once');
    await feed([record(0, 'a'), record(1, 'b')]);
    await thread.stop();
    expect(fakes.sent.map((r) => [r.topic, String(r.value)])).toEqual([['out', 'a'], ['out', 'b']]);
    expect(fakes.commits.at(-1)).toEqual([{ topic: 'in', partition: 0, offset: '2' }]);
    expect(resolved).toEqual(['0', '1']);
  });

  it('at-least-once: a record the producer rejects is dropped when the handler answers CONTINUE, and processing goes on', async () => {
    const { thread, fakes, fatal, feed } = await running('at_least_once', continueOnProductionError);
    await feed([record(0, 'a'), record(1, 'bad'), record(2, 'c')]);
    await thread.stop();
    expect(fatal).toEqual([]);
    expect(fakes.sent.map((r) => String(r.value))).toEqual(['a', 'c']);
    expect(fakes.commits.at(-1)).toEqual([{ topic: 'in', partition: 0, offset: '3' }]);
  });

  it('at-least-once: a rejected record stops the thread with VIGIL_ERR_PRODUCTION by default, without committing its offset', async () => {
    const { thread, fakes, fatal, feed } = await running('at_least_once');
    await feed([record(0, 'a'), record(1, 'bad'), record(2, 'c')]);
    await thread.abandon();
    expect(fatal.map((e) => e.code)).toEqual(['VIGIL_ERR_PRODUCTION']);
    expect(fakes.commits.flat().map((o) => o.offset)).toEqual(['1']);
    expect(fakes.sent.map((r) => String(r.value))).toEqual(['a']);
  });

  it('exactly-once: output and offsets go in one committed transaction per commit', async () => {
    const { thread, fakes, feed } = await running('exactly_once');
    await feed([record(0, 'a'), record(1, 'b')]);
    await thread.stop();
    const committed = fakes.transactions.filter((t) => t.outcome === 'commit');
    expect(committed.map((t) => [t.records.map((r) => String(r.value)), t.offsets.map((o) => o.offset)])).toEqual([
      [['a'], ['1']],
      [['b'], ['2']],
    ]);
    expect(fakes.commits).toEqual([]); // never through the consumer under exactly-once
  });

  it('exactly-once: a failed send aborts the transaction and stops the thread; its offset is not committed', async () => {
    const { thread, fakes, fatal, feed } = await running('exactly_once', continueOnProductionError);
    await feed([record(0, 'a'), record(1, 'bad')]);
    await thread.abandon();
    expect(fatal.map((e) => e.code)).toEqual(['VIGIL_ERR_PRODUCTION']);
    expect(fakes.transactions.map((t) => t.outcome)).toEqual(['commit', 'abort']);
    expect(fakes.transactions.flatMap((t) => (t.outcome === 'commit' ? t.offsets.map((o) => o.offset) : []))).toEqual(['1']);
  });
});

describe('StreamThread eager sends (fake Kafka clients)', () => {
  const outcomes = (fakes: Fakes) => fakes.transactions.map((t) => [t.outcome, t.records.map((r) => String(r.value)), t.offsets.map((o) => o.offset)]);

  it('exactly-once: a batch’s output goes into the open transaction at the batch’s end; the commit then adds only the offsets', async () => {
    const { thread, fakes, feed } = await running('exactly_once', undefined, new Fakes(), { commitIntervalMs: 60_000, eagerSends: true });
    await feed([record(0, 'a'), record(1, 'b')]);
    await vi.waitFor(() => expect(outcomes(fakes)).toEqual([['open', ['a', 'b'], []]]));
    await thread.stop();
    expect(outcomes(fakes)).toEqual([['commit', ['a', 'b'], ['2']]]);
  });

  it('at-least-once: the output is sent before the offsets are due', async () => {
    const { thread, fakes, feed } = await running('at_least_once', undefined, new Fakes(), { commitIntervalMs: 60_000, eagerSends: true });
    await feed([record(0, 'a')]);
    await vi.waitFor(() => expect(fakes.sent.map((r) => String(r.value))).toEqual(['a']));
    expect(fakes.commits).toEqual([]);
    await thread.stop();
    expect(fakes.commits.at(-1)).toEqual([{ topic: 'in', partition: 0, offset: '1' }]);
  });

  it('exactly-once: a rebalance aborts the transaction the hand-offs opened before the assignment, and the records are committed after it', async () => {
    const { thread, fakes, feed, run } = await running('exactly_once', undefined, new Fakes(), { commitIntervalMs: 60_000, eagerSends: true });
    await feed([record(0, 'a')]);
    await vi.waitFor(() => expect(outcomes(fakes)).toEqual([['open', ['a'], []]]));
    run.onRebalancing?.();
    run.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
    await vi.waitFor(() => expect(outcomes(fakes)).toEqual([['abort', ['a'], []]]));
    await vi.waitFor(() => expect(thread.taskIds()).toEqual(['0_0']));
    await thread.stop();
    expect(outcomes(fakes)).toEqual([
      ['abort', ['a'], []],
      ['commit', ['a'], ['1']],
    ]);
  });

  it('with eagerSends off, nothing reaches the producer before the commit', async () => {
    const { thread, fakes, feed } = await running('exactly_once', undefined, new Fakes(), { commitIntervalMs: 60_000, eagerSends: false });
    await feed([record(0, 'a')]);
    await new Promise<void>((r) => setImmediate(r));
    expect(fakes.transactions).toEqual([]);
    await thread.stop();
    expect(outcomes(fakes)).toEqual([['commit', ['a'], ['1']]]);
  });
});

describe('StreamThread pipelined commits (exactly-once, fake Kafka clients)', () => {
  const outcomes = (fakes: Fakes) => fakes.transactions.map((t) => [t.outcome, t.records.map((r) => String(r.value)), t.offsets.map((o) => o.offset)]);
  function gate(fakes: Fakes): () => void {
    let open!: () => void;
    fakes.sendGate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      fakes.sendGate = undefined;
      open();
    };
  }

  it('processes the next records while a commit is written, and commits them in the next transaction', async () => {
    const { thread, fakes, feed, resolved } = await running('exactly_once', undefined, new Fakes(), { pipelinedCommits: true });
    const release = gate(fakes);
    await feed([record(0, 'a')]); // sealed; its transaction waits at the gate
    const next = feed([record(1, 'b')]);
    // 'b' is processed while the first commit is still being written (its own commit then waits for the first).
    await vi.waitFor(() => expect(resolved).toEqual(['0', '1']));
    expect(outcomes(fakes)).toEqual([['open', [], []]]);
    release();
    await next;
    await thread.stop();
    expect(outcomes(fakes).filter(([o]) => o === 'commit')).toEqual([
      ['commit', ['a'], ['1']],
      ['commit', ['b'], ['2']],
    ]);
  });

  it('a commit a rebalance aborts gives its output and offsets back, ahead of what came after, and they are committed once the assignment is applied', async () => {
    const { thread, fakes, feed, run } = await running('exactly_once', undefined, new Fakes(), { pipelinedCommits: true });
    const release = gate(fakes);
    await feed([record(0, 'a')]); // in flight
    run.onRebalancing?.();
    release(); // the sends finish during the rebalance: abort, and 'a' with offset 1 go back
    run.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
    await vi.waitFor(() => expect(fakes.transactions.map((t) => t.outcome)[0]).toBe('abort'));
    await thread.stop();
    expect(outcomes(fakes)).toEqual([
      ['abort', ['a'], []],
      ['commit', ['a'], ['1']],
    ]);
  });

  it('commits inline, one at a time, when pipelining is off (the default)', async () => {
    const { thread, fakes, feed, resolved } = await running('exactly_once');
    const release = gate(fakes);
    const first = feed([record(0, 'a'), record(1, 'b')]);
    await vi.waitFor(() => expect(resolved).toEqual(['0']));
    // The thread waits in the first commit: 'b' is not processed until it is written.
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toEqual(['0']);
    release();
    await first;
    await thread.stop();
    expect(outcomes(fakes).filter(([o]) => o === 'commit').map(([, values]) => values)).toEqual([['a'], ['b']]);
  });
});

describe('StreamThread heartbeats inside a batch (fake Kafka clients)', () => {
  it('heartbeats at most once per heartbeat interval, not per record', async () => {
    const { thread, run, clock } = await running('at_least_once');
    let beats = 0;
    const batch = (from: number) => ({
      topic: 'in',
      partition: 0,
      records: [0, 1, 2, 3].map((i) => record(from + i, 'x')),
      highWatermark: '99',
      resolveOffset: () => {},
      heartbeat: async () => void beats++,
      isStale: () => false,
    });
    await run.eachBatch(batch(0));
    expect(beats).toBe(1);
    clock.advance(999); // the default interval is 1 s
    await run.eachBatch(batch(4));
    expect(beats).toBe(1);
    clock.advance(1);
    await run.eachBatch(batch(8));
    expect(beats).toBe(2);
    await thread.stop();
  });

  it('stops the batch where a heartbeat finds the group rebalancing and hands the error to kafkajs; the rest stays unresolved', async () => {
    const { thread, fakes, run, resolved, clock } = await running('at_least_once');
    let beats = 0;
    const rebalancing = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    const batch = run.eachBatch({
      topic: 'in',
      partition: 0,
      records: [record(0, 'a'), record(1, 'b'), record(2, 'c')],
      highWatermark: '3',
      resolveOffset: (o) => void resolved.push(o),
      heartbeat: async () => {
        if (++beats === 2) throw rebalancing;
        clock.advance(1_000); // so the next record asks again
      },
      isStale: () => false,
    });
    await expect(batch).rejects.toBe(rebalancing);
    expect(resolved).toEqual(['0', '1']);
    await thread.stop();
    expect(fakes.sent.map((r) => String(r.value))).toEqual(['a', 'b']);
  });
});

describe('StreamThread when the group may have dropped this member (exactly-once, fake Kafka clients)', () => {
  const committedValues = (fakes: Fakes) => fakes.transactions.filter((t) => t.outcome === 'commit').flatMap((t) => t.records.map((r) => String(r.value)));

  it('holds commits after a session timeout without a heartbeat, and commits the held work once the coordinator answers again', async () => {
    const { thread, fakes, feed, clock, run } = await running('exactly_once');
    await feed([record(0, 'a')]);
    clock.advance(10_001); // the default session timeout, and a little more
    await feed([record(1, 'b')]);
    expect(committedValues(fakes)).toEqual(['a']);
    run.onHeartbeat?.();
    await feed([record(2, 'c')]);
    // The commit is written while the thread goes on: wait for it.
    await vi.waitFor(() => expect(committedValues(fakes)).toEqual(['a', 'b', 'c']));
    await thread.stop();
  });

  it('re-joining under a new member id drops every task dirty: work the group may have handed to another member is never committed', async () => {
    const { thread, fakes, feed, clock, run } = await running('exactly_once');
    await feed([record(0, 'a')]);
    clock.advance(10_001);
    await feed([record(1, 'b')]); // held: no heartbeat
    run.onGroupJoin?.({ memberId: 'm2', isLeader: true, partitions: new Map([['in', [0]]]) });
    await vi.waitFor(() => expect(thread.taskIds()).toEqual(['0_0']));
    await thread.stop();
    expect(committedValues(fakes)).toEqual(['a']);
  });

  it('re-joining under the same member id keeps the tasks and their uncommitted work', async () => {
    const { thread, fakes, feed, clock, run } = await running('exactly_once');
    await feed([record(0, 'a')]);
    clock.advance(10_001);
    await feed([record(1, 'b')]);
    run.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
    await vi.waitFor(() => expect(thread.taskIds()).toEqual(['0_0']));
    await thread.stop();
    expect(committedValues(fakes)).toEqual(['a', 'b']);
  });
});

describe('StreamThread with a pattern subscription (fake Kafka clients)', () => {
  it('subscribes to the topics the pattern matched at start and routes each of them to the task of its partition', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-thread-'));
    dirs.push(stateDir);
    const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], commitIntervalMs: 0, stateDir, clock: new ManualClock(0) });
    const plan = new Topology()
      .addSource('src', { topicPattern: /^us-(east|west)\.in$/, keySerde: S, valueSerde: S })
      .addSink('sink', 'out', { keySerde: S, valueSerde: S }, 'src')[TOPOLOGY_INTERNALS]
      .plan('app');
    const matches = resolveSourcePatterns(plan, 'app', ['us-east.in', 'us-west.in', 'in']);
    const layout = planTopicLayout(plan, 'app', new Map([['us-east.in', 2], ['us-west.in', 2]]), new Map(), 1, matches);
    const fakes = new Fakes();
    const subscribed: Array<string | RegExp> = [];
    const consumer: KafkaConsumer = { ...fakes.consumer, subscribe: async (o) => void subscribed.push(...o.topics) };
    const thread = new StreamThread({
      config: streamsConfig(streams),
      options: runtime,
      plan,
      layout,
      connection: { brokers: ['h:1'] },
      admin: fakes.admin,
      consumer,
      producer: fakes.producer,
      onFatal: () => {},
      onRebalance: () => {},
    });
    await thread.start();
    expect(subscribed.sort()).toEqual(['us-east.in', 'us-west.in']);
    const run = fakes.run as RunOptions;
    run.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['us-east.in', [1]], ['us-west.in', [1]]]) });
    await vi.waitFor(() => expect(thread.taskIds()).toEqual(['0_1']));
    const rec = (topic: string, value: string): ConsumedRecord => ({ topic, partition: 1, offset: '0', key: Buffer.from('card'), value: Buffer.from(value), timestamp: 1, headers: {} });
    await run.eachBatch({ topic: 'us-east.in', partition: 1, records: [rec('us-east.in', 'east')], highWatermark: '1', resolveOffset: () => {}, heartbeat: async () => {}, isStale: () => false });
    await run.eachBatch({ topic: 'us-west.in', partition: 1, records: [rec('us-west.in', 'west')], highWatermark: '1', resolveOffset: () => {}, heartbeat: async () => {}, isStale: () => false });
    await thread.stop();
    expect(fakes.sent.map((r) => String(r.value))).toEqual(['east', 'west']);
    expect(fakes.commits.flat().filter((o) => o.offset === '1').map((o) => o.topic).sort()).toEqual(['us-east.in', 'us-west.in']);
  });
});
