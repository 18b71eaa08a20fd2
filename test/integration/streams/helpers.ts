import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, onTestFinished } from 'vitest';
import type { Topology } from '../../../src/streams/processor/topology.js';
import { connectAdmin, connectConsumer, connectProducer } from '../../../src/streams/kafka/index.js';
import type { ConsumedRecord } from '../../../src/streams/kafka/index.js';
import { KafkaStreams } from '../../../src/streams/runtime/index.js';
import type { KafkaStreamsConfigInput, StreamsLogger } from '../../../src/streams/runtime/index.js';
import type { Deserializer } from '../../../src/streams/serde/serde.js';
import { TopologyTestDriver } from '../../../src/streams/testing/topology-test-driver.js';
import { uniqueName } from '../helpers.js';
import { COUNT_STORE } from './topologies.js';

export function brokers(): string[] {
  return inject('kafkaBrokers').split(',');
}

/** A state directory removed when the test finishes. */
export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rt-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Logs to stderr when VIGIL_TEST_LOG is set (debugging a failing test), else nothing. */
export function testLogger(name: string): StreamsLogger | undefined {
  if (!process.env.VIGIL_TEST_LOG) return undefined;
  const line = (level: string) => (fields: object, message: string) =>
    process.stderr.write(`${new Date().toISOString()} ${level} [${name}] ${message} ${JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`);
  return { error: line('ERROR'), warn: line('WARN'), info: line('INFO'), debug: process.env.VIGIL_TEST_LOG === 'debug' ? line('DEBUG') : () => {} };
}

/** A started KafkaStreams instance, closed when the test finishes. */
export async function startStreams(topology: Topology, config: Omit<KafkaStreamsConfigInput, 'brokers'>): Promise<KafkaStreams> {
  const logger = testLogger(config.instanceId ?? config.applicationId);
  const streams = new KafkaStreams(topology, { brokers: brokers(), sessionTimeoutMs: 6_000, ...(logger ? { logger } : {}), ...config });
  onTestFinished(() => streams.close());
  await streams.start();
  return streams;
}

export async function createTopics(partitions: number, ...topics: string[]): Promise<void> {
  const admin = await connectAdmin({ brokers: brokers() });
  try {
    await admin.createTopics(topics.map((topic) => ({ topic, partitions })));
  } finally {
    await admin.close();
  }
}

export interface KeyValueRecord {
  key: string;
  value: string;
  timestamp?: number;
}

/** Produces with the default (murmur2) partitioner, in order, in batches. */
export async function produce(topic: string, records: readonly KeyValueRecord[], batch = 5_000): Promise<void> {
  const p = await connectProducer({ brokers: brokers() }, { idempotent: true });
  try {
    for (let i = 0; i < records.length; i += batch) {
      await p.send(records.slice(i, i + batch).map((r) => ({ topic, key: r.key, value: r.value, ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}) })));
    }
  } finally {
    await p.close();
  }
}

/**
 * Reads every record of `topic` up to its current end (transaction markers
 * included, so it terminates under read_committed too), in partition order.
 */
export async function readToEnd(topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed', timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const admin = await connectAdmin({ brokers: brokers() });
  const ends = new Map((await admin.endOffsets(topic)).map((o) => [o.partition, BigInt(o.offset)]));
  await admin.close();
  const waiting = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const records: ConsumedRecord[] = [];
  if (waiting.size === 0) return records;
  const c = await connectConsumer({ brokers: brokers() }, { groupId: uniqueName('read-to-end'), isolation, maxBytesPerPartition: 4 * 1024 * 1024 });
  try {
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readToEnd(${topic}) timed out; still waiting for partitions ${[...waiting].join(',')}`)), timeoutMs);
      void c.run({
        autoCommit: false,
        eachBatch: async (b) => {
          const end = ends.get(b.partition) ?? 0n;
          for (const r of b.records) if (BigInt(r.offset) < end) records.push(r);
        },
        onBatchEnd: (p) => {
          if (BigInt(p.lastOffset) + 1n >= (ends.get(p.partition) ?? 0n)) waiting.delete(p.partition);
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await c.close();
  }
  return records;
}

/** key → the values produced for it, in order (per-key order is what Kafka guarantees across partitions). */
export function byKey<V>(records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>, value: Deserializer<V>, topic = ''): Map<string, V[]> {
  const result = new Map<string, V[]>();
  for (const r of records) {
    const k = r.key?.toString('utf8') ?? '<null>';
    const list = result.get(k) ?? [];
    list.push(value.deserialize(topic, r.value) as V);
    result.set(k, list);
  }
  return new Map([...result].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Runs `topology` on the TopologyTestDriver over the same input and returns
 * the records of each output topic: the expected output.
 */
export async function driverOutput(
  topology: Topology,
  inputs: ReadonlyArray<{ topic: string; records: readonly KeyValueRecord[] }>,
  outputs: readonly string[],
  config: { cachingEnabled?: boolean; defaultStoreType?: 'memory' | 'leveldb' } = {},
): Promise<Map<string, Array<{ key: Buffer | null; value: Buffer | null }>>> {
  const driver = new TopologyTestDriver(topology, { applicationId: 'expected', cachingEnabled: config.cachingEnabled ?? false, defaultStoreType: config.defaultStoreType ?? 'leveldb' });
  try {
    const raw = { serialize: (_t: string, s: string) => Buffer.from(s) };
    for (const { topic, records } of inputs) {
      const input = driver.createInputTopic(topic, raw, raw);
      for (const r of records) await input.pipeInput(r.key, r.value, r.timestamp ?? 0);
    }
    const id = { deserialize: (_t: string, b: Buffer | null) => b };
    const result = new Map<string, Array<{ key: Buffer | null; value: Buffer | null }>>();
    for (const topic of outputs) {
      result.set(
        topic,
        driver.createOutputTopic(topic, id, id).readKeyValuesToList().map((kv) => ({ key: kv.key, value: kv.value })),
      );
    }
    return result;
  } finally {
    await driver.close();
  }
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sum of all counts in the instance's local count store (interactive query). */
export async function totalCount(streams: KafkaStreams, store = COUNT_STORE): Promise<number> {
  let total = 0;
  for await (const { value } of streams.keyValueStore<string, number>(store).all()) total += value;
  return total;
}

export interface ChildApp {
  readonly pid: number;
  /** Parsed JSON lines the child printed so far. */
  readonly events: Array<Record<string, unknown>>;
  waitForEvent(match: (e: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts fixtures/count-app.ts in a child process (killed when the test finishes, if still alive). */
export function spawnCountApp(env: Record<string, string>): ChildApp {
  const script = join(import.meta.dirname, 'fixtures', 'count-app.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, BROKERS: brokers().join(','), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not one of ours (a library printing to stdout)
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    pid: child.pid as number,
    events,
    async waitForEvent(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child ${child.pid} did not report the expected event; events: ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** Committed offsets of `groupId` on `topic` summed over partitions, and the topic's end offsets summed. */
export async function groupProgress(groupId: string, topic: string): Promise<{ committed: bigint; end: bigint }> {
  const admin = await connectAdmin({ brokers: brokers() });
  try {
    const committed = (await admin.committedOffsets(groupId, topic)).reduce((s, o) => s + (BigInt(o.offset) > 0n ? BigInt(o.offset) : 0n), 0n);
    const end = (await admin.endOffsets(topic)).reduce((s, o) => s + BigInt(o.offset), 0n);
    return { committed, end };
  } finally {
    await admin.close();
  }
}
