import type { Consumer, KafkaMessage } from 'kafkajs';
import { copartitionedAssigner } from './assigner.js';
import { connectExplained, createKafka } from './connection.js';
import { PrefetchBuffer } from './prefetch.js';
import { VigilError } from '../errors.js';
import type { BatchProgress, ConsumedRecord, GroupAssignment, KafkaConnectionOptions, TopicPartition, TopicPartitionOffset } from './types.js';

export interface ConsumerOptions {
  groupId: string;
  /** read_committed hides aborted transactional records (exactly-once). */
  isolation?: 'read_committed' | 'read_uncommitted';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** How long the broker may hold a fetch waiting for data; low values cut latency. */
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
  /**
   * Give partition p of every subscribed topic to the same member (what a
   * streams task needs). Default: kafkajs' round robin.
   */
  copartitioned?: boolean;
  /**
   * With `copartitioned`: what this member tells the group leader about
   * itself at each join (its current and previous tasks, for sticky
   * assignment). Read at every join, so it can change between rebalances.
   */
  subscriptionUserData?: () => Buffer;
}

export interface SubscribeOptions {
  topics: Array<string | RegExp>;
  fromBeginning?: boolean;
}

export interface PartitionBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  highWatermark: string;
  /** Marks the record at `offset` (and those before it) consumed. */
  resolveOffset(offset: string): void;
  /**
   * Heartbeats if the interval has passed (cheap otherwise). A long batch
   * must call it: kafkajs heartbeats only between batches, and a member
   * silent for a session timeout is dropped from the group. Rejects when
   * the group is rebalancing; let that error out of `eachBatch`.
   */
  heartbeat(): Promise<void>;
  /**
   * True once the rest of the batch must not be processed: its partition
   * was sought, or the group's generation ended (with prefetch, batches
   * queued before a rebalance), since it was fetched. Two number
   * comparisons; check it between records.
   */
  isStale(): boolean;
}

export interface RunOptions {
  /** Commit automatically after each batch (at-least-once); off for transactional commits. */
  autoCommit?: boolean;
  /**
   * Whether returning from eachBatch marks the whole batch consumed
   * (default true). When false, call `resolveOffset` for each record
   * handled; records not resolved are fetched again.
   */
  autoResolve?: boolean;
  /**
   * Fetch while batches are processed, keeping up to this many records
   * queued (0 or absent: off, and kafkajs fetches only after each fetch's
   * batches are processed). With prefetch a batch counts as consumed once
   * queued: `resolveOffset` does nothing, and records a rebalance, `seek`,
   * `pause` or `close` drops from the queue are fetched again only from
   * the position the group's committed offsets or a seek give. So the
   * caller must track and commit its own positions. `onBatchEnd` then
   * reports a batch when it is queued.
   */
  prefetchRecords?: number;
  /** Called for each fetched batch of one partition, in offset order. */
  eachBatch(batch: PartitionBatch): Promise<void>;
  /**
   * After each batch, including batches that held only transaction markers
   * or aborted records (which never reach eachBatch): where the consumer is.
   */
  onBatchEnd?(progress: BatchProgress): void;
  /** Synchronously, right after the group's sync and before fetching for the new generation. */
  onGroupJoin?(assignment: GroupAssignment): void;
  /** The member is about to re-join the group: its assignment may change. */
  onRebalancing?(): void;
  /** A heartbeat reached the coordinator: this member was still in the group a moment ago. */
  onHeartbeat?(): void;
  /** A fetch request completed (with or without records): the consumer's loop is alive. */
  onFetch?(): void;
  /** The consumer stopped on an error; `restarting` tells whether the client retries on its own. */
  onCrash?(error: Error, restarting: boolean): void;
}

export interface KafkaConsumer {
  subscribe(options: SubscribeOptions): Promise<void>;
  run(options: RunOptions): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** The next fetch of this partition starts at `offset`. Call after `run`. */
  seek(offset: TopicPartitionOffset): void;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  close(): Promise<void>;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  const headers: ConsumedRecord['headers'] = {};
  const raw = m.headers;
  // for-in, not Object.entries: no array per record (kafkajs gives every message a headers object, mostly empty).
  if (raw !== undefined) {
    for (const k in raw) {
      const v = raw[k];
      headers[k] = v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
    }
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, timestamp: Number(m.timestamp), headers };
}

function ignoreOffset(): void {}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function byTopic(partitions: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const groups = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = groups.get(topic) ?? [];
    list.push(partition);
    groups.set(topic, list);
  }
  return [...groups].map(([topic, ps]) => ({ topic, partitions: ps }));
}

export async function connectConsumer(
  connection: KafkaConnectionOptions,
  options: ConsumerOptions,
): Promise<KafkaConsumer> {
  const consumer: Consumer = createKafka(connection).consumer({
    groupId: options.groupId,
    readUncommitted: options.isolation === 'read_uncommitted',
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
    ...(options.rebalanceTimeoutMs !== undefined ? { rebalanceTimeout: options.rebalanceTimeoutMs } : {}),
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    ...(options.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: options.maxBytesPerPartition } : {}),
    allowAutoTopicCreation: false,
    ...(options.copartitioned ? { partitionAssigners: [copartitionedAssigner(options.subscriptionUserData)] } : {}),
  });
  await connectExplained(() => consumer.connect(), connection);
  const listeners: Array<() => void> = [];
  let prefetch: PrefetchBuffer<PartitionBatch> | undefined;
  /** Partitions paused through this facade (with prefetch, their batches are refused until resumed). */
  const paused = new Set<string>();
  // A batch is stale once its partition was sought, or the group's generation ended, after it was fetched.
  // Counters compared per call: the stream thread asks between records.
  const seeks = new Map<string, { count: number }>();
  let generation = 0;
  const staleCheck = (topic: string, partition: number): (() => boolean) => {
    const key = partitionKey(topic, partition);
    let seeksOf = seeks.get(key);
    if (seeksOf === undefined) seeks.set(key, (seeksOf = { count: 0 }));
    const counter = seeksOf;
    const count = counter.count;
    const fetchedIn = generation;
    return () => counter.count !== count || generation !== fetchedIn;
  };
  return {
    subscribe: (o) => consumer.subscribe({ topics: o.topics, fromBeginning: o.fromBeginning ?? false }),
    run: (o) => {
      if (o.prefetchRecords !== undefined && o.prefetchRecords > 0) {
        // kafkajs would commit what was queued, not what was processed: a crash would skip the queue.
        if (o.autoCommit !== false) throw new VigilError('VIGIL_ERR_CONFIG', 'prefetchRecords needs autoCommit: false (commit the offsets you processed yourself)');
        prefetch = new PrefetchBuffer<PartitionBatch>({ limitRecords: o.prefetchRecords, deliver: (b) => o.eachBatch(b) });
      }
      // Queued batches of an ended generation must not reach the caller after the new assignment.
      const generationEnded = (): void => {
        generation++;
        prefetch?.drop();
      };
      listeners.push(consumer.on(consumer.events.REBALANCING, generationEnded), consumer.on(consumer.events.GROUP_JOIN, generationEnded), consumer.on(consumer.events.CRASH, generationEnded));
      if (o.onBatchEnd) {
        const cb = o.onBatchEnd;
        listeners.push(
          consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
            const p = e.payload;
            cb({ topic: p.topic, partition: p.partition, lastOffset: p.lastOffset, highWatermark: p.highWatermark, offsetLag: p.offsetLag });
          }),
        );
      }
      if (o.onGroupJoin) {
        const cb = o.onGroupJoin;
        listeners.push(
          consumer.on(consumer.events.GROUP_JOIN, (e) => {
            const assignment = new Map<string, number[]>();
            for (const [topic, ps] of Object.entries(e.payload.memberAssignment)) assignment.set(topic, [...ps]);
            cb({ memberId: e.payload.memberId, isLeader: e.payload.isLeader, partitions: assignment });
          }),
        );
      }
      if (o.onRebalancing) {
        const cb = o.onRebalancing;
        listeners.push(consumer.on(consumer.events.REBALANCING, () => cb()));
      }
      if (o.onHeartbeat) {
        const cb = o.onHeartbeat;
        listeners.push(consumer.on(consumer.events.HEARTBEAT, () => cb()));
      }
      if (o.onFetch) {
        const cb = o.onFetch;
        listeners.push(consumer.on(consumer.events.FETCH, () => cb()));
      }
      if (o.onCrash) {
        const cb = o.onCrash;
        listeners.push(consumer.on(consumer.events.CRASH, (e) => cb(e.payload.error, e.payload.restart)));
      }
      return consumer.run({
        autoCommit: o.autoCommit ?? true,
        // With prefetch the facade resolves each batch as it queues it, and never one it refuses.
        eachBatchAutoResolve: prefetch === undefined && (o.autoResolve ?? true),
        eachBatch: async ({ batch, resolveOffset, heartbeat, isStale: seekPending }) => {
          const { topic, partition, highWatermark } = batch;
          const isStale = staleCheck(topic, partition);
          const queue = prefetch;
          if (queue === undefined) {
            const records = batch.messages.map((m) => toRecord(topic, partition, m));
            await o.eachBatch({ topic, partition, highWatermark, resolveOffset, heartbeat, isStale, records });
            return;
          }
          // kafkajs may hand over batches fetched before a seek or a pause (it filters only fetches still in flight).
          // Not resolved, so they are fetched again from the sought offset, or once resumed.
          if (seekPending() || paused.has(partitionKey(topic, partition))) return;
          const records = batch.messages.map((m) => toRecord(topic, partition, m));
          // Consumed once queued, so kafkajs' next fetch starts after this batch (kafkajs never hands over an empty one).
          const last = records[records.length - 1];
          if (last !== undefined) resolveOffset(last.offset);
          await queue.push({ topic, partition, highWatermark, resolveOffset: ignoreOffset, heartbeat, records, isStale });
        },
      });
    },
    commit: (offsets) => consumer.commitOffsets(offsets),
    seek: (o) => {
      const counter = seeks.get(partitionKey(o.topic, o.partition));
      if (counter !== undefined) counter.count++;
      prefetch?.drop([o]);
      consumer.seek(o);
    },
    pause: (ps) => {
      for (const p of ps) paused.add(partitionKey(p.topic, p.partition));
      consumer.pause(byTopic(ps));
      // Queued batches were resolved when queued: fetch them again once resumed. The batch being processed goes on, as without prefetch.
      const firstDropped = new Map<string, TopicPartitionOffset>();
      for (const b of prefetch?.drop(ps) ?? []) {
        const key = partitionKey(b.topic, b.partition);
        const first = b.records[0];
        if (first !== undefined && !firstDropped.has(key)) firstDropped.set(key, { topic: b.topic, partition: b.partition, offset: first.offset });
      }
      for (const at of firstDropped.values()) consumer.seek(at);
    },
    resume: (ps) => {
      for (const p of ps) paused.delete(partitionKey(p.topic, p.partition));
      consumer.resume(byTopic(ps));
    },
    async close() {
      for (const remove of listeners.splice(0)) remove();
      // Unblocks kafkajs' fetcher if it waits for room in the queue; kafkajs' stop waits for it.
      prefetch?.drop();
      await consumer.disconnect();
      await prefetch?.idle();
    },
  };
}
