/**
 * KafkaStreams on a real broker: a windowed count plus a stream–table join,
 * under at-least-once and exactly-once, against a plain kafkajs consume
 * loop that does nothing (the ceiling). Not a test.
 *
 *   npx tsx bench/runtime/kafka-streams.ts [--records 50000] [--rate 1000] [--seconds 10] [--commit-interval 100]
 *     [--max-buffered 5000] [--eager-sends 1|0] [--prefetch 10000] [--pipelined 1|0]   (runtime options, for A/B runs within one build)
 *
 * Uses KAFKA_BROKERS when set, else starts (and stops) the single-broker
 * cluster through src/cluster. Every topic uses
 * message.timestamp.type=LogAppendTime, so the input's and the output's
 * timestamps are both the broker's append times: their difference is the
 * end-to-end latency, without clock skew.
 *
 * Phases per guarantee:
 *  1. throughput: N records are produced first, then the application starts;
 *     records/s = N / (time from RUNNING to every input offset committed).
 *  2. latency: the application runs while records are produced at a fixed
 *     rate; each transaction's amount is its sequence number and every
 *     profile's tier is 0, so the join output's value identifies its input.
 *  3. restoration: the state directory is deleted and the application
 *     restarts; changelog records restored / restoration time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { down, up } from '../../src/cluster/cluster.js';
import { createLogger } from '../../src/log.js';
import { Consumed } from '../../src/streams/dsl/consumed.js';
import { Materialized } from '../../src/streams/dsl/materialized.js';
import { Produced } from '../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../src/streams/dsl/streams-builder.js';
import { TimeWindows } from '../../src/streams/dsl/windows/time-windows.js';
import { WindowedSerdes } from '../../src/streams/dsl/windows/windowed-serdes.js';
import type { Topology } from '../../src/streams/processor/topology.js';
import { KafkaStreams } from '../../src/streams/runtime/index.js';
import type { ProcessingGuarantee, RestoreProgress } from '../../src/streams/runtime/index.js';
import { connectAdmin, connectConsumer, connectProducer } from '../../src/streams/kafka/index.js';
import type { KafkaAdmin, KafkaConnectionOptions } from '../../src/streams/kafka/index.js';
import { Serdes } from '../../src/streams/serde/serdes.js';

const PARTITIONS = 4;
const ACCOUNTS = 1_000;
const LOG_APPEND = { 'message.timestamp.type': 'LogAppendTime' };

interface Args {
  records: number;
  rate: number;
  seconds: number;
  commitIntervalMs: number;
  /** KafkaStreams' maxBufferedRecords, eagerSends, pipelinedCommits and prefetchRecords; undefined: the runtime's defaults. */
  maxBufferedRecords: number | undefined;
  eagerSends: boolean | undefined;
  pipelinedCommits: boolean | undefined;
  prefetchRecords: number | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const optional = (name: string): number | undefined => (argv.includes(`--${name}`) ? get(name, Number.NaN) : undefined);
  const eager = optional('eager-sends');
  const pipelined = optional('pipelined');
  return {
    records: get('records', 50_000),
    rate: get('rate', 1_000),
    seconds: get('seconds', 10),
    commitIntervalMs: get('commit-interval', 100),
    maxBufferedRecords: optional('max-buffered'),
    eagerSends: eager === undefined ? undefined : eager !== 0,
    pipelinedCommits: pipelined === undefined ? undefined : pipelined !== 0,
    prefetchRecords: optional('prefetch'),
  };
}

interface Topics {
  transactions: string;
  profiles: string;
  counts: string;
  enriched: string;
}

function topology(t: Topics): Topology {
  const S = Serdes.String();
  const L = Serdes.Long();
  const builder = new StreamsBuilder();
  const profiles = builder.table(t.profiles, Consumed.with(S, L), Materialized.as<string, number>('profiles-store'));
  const transactions = builder.stream(t.transactions, Consumed.with(S, L));
  transactions
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count(Materialized.as('tx-count-1m'))
    .toStream()
    .to(t.counts, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 60_000), L));
  transactions.join(profiles, (amount: number, tier: number) => amount * (tier + 1)).to(t.enriched, Produced.with(S, L));
  return builder.build();
}

const long = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function produceRange(conn: KafkaConnectionOptions, topic: string, from: number, n: number): Promise<void> {
  const p = await connectProducer(conn, { idempotent: true });
  try {
    for (let i = from; i < from + n; i += 5_000) {
      const batch = [];
      for (let j = i; j < Math.min(from + n, i + 5_000); j++) batch.push({ topic, key: `acct-${j % ACCOUNTS}`, value: long(j) });
      await p.send(batch);
    }
  } finally {
    await p.close();
  }
}

async function committedTotal(admin: KafkaAdmin, group: string, topic: string): Promise<bigint> {
  return (await admin.committedOffsets(group, topic)).reduce((s, o) => s + (BigInt(o.offset) > 0n ? BigInt(o.offset) : 0n), 0n);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The ceiling: a kafkajs consumer that only counts what it fetched. */
async function baseline(conn: KafkaConnectionOptions, topic: string, n: number): Promise<number> {
  const c = await connectConsumer(conn, { groupId: `bench-baseline-${randomUUID().slice(0, 8)}`, maxWaitTimeMs: 50 });
  let seen = 0;
  let started = 0;
  try {
    await c.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<number>((resolve) => {
      void c.run({
        eachBatch: async (b) => {
          if (started === 0) started = performance.now();
          seen += b.records.length;
          if (seen >= n) resolve(performance.now());
        },
      });
    });
    const finished = await done;
    return n / ((finished - started) / 1000);
  } finally {
    await c.close();
  }
}

/** Reads `topic` from the beginning until `n` records arrived; returns them. */
async function readN(conn: KafkaConnectionOptions, topic: string, n: number): Promise<Array<{ value: Buffer | null; timestamp: number }>> {
  const c = await connectConsumer(conn, { groupId: `bench-reader-${randomUUID().slice(0, 8)}`, isolation: 'read_committed', maxBytesPerPartition: 4 << 20 });
  const out: Array<{ value: Buffer | null; timestamp: number }> = [];
  try {
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read only ${out.length} of ${n} records from ${topic}`)), 120_000);
      void c.run({
        eachBatch: async (b) => {
          for (const r of b.records) out.push({ value: r.value, timestamp: r.timestamp });
          if (out.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return out;
  } finally {
    await c.close();
  }
}

/**
 * Notes when each output of the latency phase becomes visible to a
 * read_committed consumer (under exactly-once that is its commit, not its
 * append): `seq → Date.now()` at receipt, on the broker's clock (same machine).
 */
async function watchVisible(conn: KafkaConnectionOptions, admin: KafkaAdmin, topic: string, fromSeq: bigint): Promise<{ stop(): Promise<Map<bigint, number>> }> {
  const c = await connectConsumer(conn, { groupId: `bench-visible-${randomUUID().slice(0, 8)}`, isolation: 'read_committed', maxWaitTimeMs: 50, maxBytesPerPartition: 4 << 20 });
  const seen = new Map<bigint, number>();
  await c.subscribe({ topics: [topic], fromBeginning: true });
  await c.run({
    eachBatch: async (b) => {
      const now = Date.now();
      for (const r of b.records) {
        const seq = r.value?.readBigInt64BE(0);
        if (seq !== undefined && seq >= fromSeq && !seen.has(seq)) seen.set(seq, now);
      }
    },
  });
  // From the current end: decoding the backlog's outputs would take this process' CPU from the engine during the measurement.
  for (const o of await admin.endOffsets(topic)) c.seek({ topic, partition: o.partition, offset: o.offset });
  return {
    async stop() {
      await c.close();
      return seen;
    },
  };
}

interface GuaranteeResult {
  guarantee: ProcessingGuarantee;
  throughput: number;
  p50: number;
  p99: number;
  /** Input append → output visible to read_committed (equal to the append under at-least-once). */
  visibleP50: number;
  visibleP99: number;
  max: number;
  latencySamples: number;
  visibleSamples: number;
  /** Event-loop utilisation during the backlog (0–1). */
  backlogElu: number;
  restored: number;
  restoreMs: number;
}

async function benchGuarantee(conn: KafkaConnectionOptions, admin: KafkaAdmin, guarantee: ProcessingGuarantee, args: Args): Promise<GuaranteeResult> {
  const id = randomUUID().slice(0, 8);
  const t: Topics = { transactions: `bench-tx-${id}`, profiles: `bench-profiles-${id}`, counts: `bench-counts-${id}`, enriched: `bench-enriched-${id}` };
  await admin.createTopics(Object.values(t).map((topic) => ({ topic, partitions: PARTITIONS, config: LOG_APPEND })));
  const p = await connectProducer(conn, { idempotent: true });
  await p.send(Array.from({ length: ACCOUNTS }, (_, i) => ({ topic: t.profiles, key: `acct-${i}`, value: long(0) })));
  await p.close();
  const applicationId = `bench-${guarantee}-${id}`;
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-rt-'));
  const restores: RestoreProgress[] = [];
  let restoreStart = 0;
  let restoreEnd = 0;
  const start = async (): Promise<KafkaStreams> => {
    const s = new KafkaStreams(topology(t), {
      brokers: conn.brokers,
      applicationId,
      instanceId: 'bench-1',
      processingGuarantee: guarantee,
      commitIntervalMs: args.commitIntervalMs,
      ...(args.maxBufferedRecords !== undefined ? { maxBufferedRecords: args.maxBufferedRecords } : {}),
      ...(args.eagerSends !== undefined ? { eagerSends: args.eagerSends } : {}),
      ...(args.pipelinedCommits !== undefined ? { pipelinedCommits: args.pipelinedCommits } : {}),
      ...(args.prefetchRecords !== undefined ? { prefetchRecords: args.prefetchRecords } : {}),
      stateDir,
      onRestore: (r) => {
        if (r.phase === 'start' && restoreStart === 0) restoreStart = performance.now();
        if (r.phase === 'end') {
          restores.push(r);
          restoreEnd = performance.now();
        }
      },
    });
    await s.start();
    await s.waitForState('RUNNING', 120_000);
    return s;
  };

  // The table first: the runtime processes in fetch order, not by timestamp across partitions.
  let streams = await start();
  const table = streams.keyValueStore<string, number>('profiles-store');
  while ((await table.approximateNumEntries()) < ACCOUNTS) await sleep(50);
  await streams.close();

  // 1. Throughput over a backlog.
  await produceRange(conn, t.transactions, 0, args.records);
  streams = await start();
  const began = performance.now();
  const eluBefore = performance.eventLoopUtilization();
  while ((await committedTotal(admin, applicationId, t.transactions)) < BigInt(args.records)) await sleep(50);
  const throughput = args.records / ((performance.now() - began) / 1000);
  // How busy the process' one thread was during the backlog: what overlapping fetches or sends with processing could at most win back is the rest.
  const backlogElu = performance.eventLoopUtilization(eluBefore).utilization;

  // 2. Latency at a fixed rate, broker append time to broker append time, and to read_committed visibility.
  const visible = await watchVisible(conn, admin, t.enriched, BigInt(args.records));
  const total = args.rate * args.seconds;
  const producer = await connectProducer(conn, { idempotent: true });
  const tick = 50;
  const perTick = Math.max(1, Math.round((args.rate * tick) / 1000));
  const t0 = performance.now();
  for (let sent = 0; sent < total; ) {
    const n = Math.min(perTick, total - sent);
    const batch = [];
    for (let j = 0; j < n; j++) batch.push({ topic: t.transactions, key: `acct-${(args.records + sent + j) % ACCOUNTS}`, value: long(args.records + sent + j) });
    await producer.send(batch);
    sent += n;
    const wait = t0 + ((sent / perTick) * tick) - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await producer.close();
  const target = BigInt(args.records + total);
  while ((await committedTotal(admin, applicationId, t.transactions)) < target) await sleep(50);
  await streams.close();
  const visibleAt = await visible.stop();
  const inputs = await readN(conn, t.transactions, args.records + total);
  const outputs = await readN(conn, t.enriched, args.records + total);
  const appendedIn = new Map<bigint, number>();
  for (const r of inputs) if (r.value) appendedIn.set(r.value.readBigInt64BE(0), r.timestamp);
  const latencies: number[] = [];
  for (const r of outputs) {
    if (!r.value) continue;
    const seq = r.value.readBigInt64BE(0);
    if (seq < BigInt(args.records)) continue; // the backlog measured throughput, not latency
    const inAt = appendedIn.get(seq);
    if (inAt !== undefined) latencies.push(r.timestamp - inAt);
  }
  latencies.sort((a, b) => a - b);
  const toVisible: number[] = [];
  for (const [seq, at] of visibleAt) {
    const inAt = appendedIn.get(seq);
    if (inAt !== undefined) toVisible.push(at - inAt);
  }
  toVisible.sort((a, b) => a - b);

  // 3. Restoration from the changelogs after the state is lost.
  await rm(path.join(stateDir, applicationId), { recursive: true, force: true });
  restores.length = 0;
  restoreStart = 0;
  streams = await start();
  await streams.close();
  const restored = restores.reduce((s, r) => s + r.restored, 0);
  await rm(stateDir, { recursive: true, force: true });
  return {
    guarantee,
    throughput,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    latencySamples: latencies.length,
    visibleP50: percentile(toVisible, 50),
    visibleP99: percentile(toVisible, 99),
    visibleSamples: toVisible.length,
    backlogElu,
    restored,
    restoreMs: restoreEnd - restoreStart,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = createLogger('bench-runtime', process.env.LOG_LEVEL ?? 'warn');
  const external = process.env.KAFKA_BROKERS;
  const cluster = external ? undefined : await up({ topology: 'single', log, ownerPid: process.pid });
  const brokers = (external ?? cluster?.primary ?? '').split(',');
  const conn: KafkaConnectionOptions = { brokers, clientId: 'vigil-bench' };
  const admin = await connectAdmin(conn);
  try {
    const ceilingTopic = `bench-ceiling-${randomUUID().slice(0, 8)}`;
    await admin.createTopics([{ topic: ceilingTopic, partitions: PARTITIONS, config: LOG_APPEND }]);
    await produceRange(conn, ceilingTopic, 0, args.records);
    const ceiling = await baseline(conn, ceilingTopic, args.records);
    const results: GuaranteeResult[] = [];
    for (const g of ['at_least_once', 'exactly_once'] as const) results.push(await benchGuarantee(conn, admin, g, args));
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    console.log(`\nKafkaStreams on ${brokers.join(',')}: ${args.records} backlog records, then ${args.rate}/s for ${args.seconds} s; ${PARTITIONS} partitions, ${ACCOUNTS} keys, commit interval ${args.commitIntervalMs} ms\n`);
    console.log('| guarantee | records/s (backlog) | vs. ceiling | latency p50 | p99 | max | restore (changelog records/s) | visible p50 | visible p99 |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(`| kafkajs consume loop, no processing (ceiling) | ${fmt(ceiling)} | 1.00 | – | – | – | – | – | – |`);
    for (const r of results) {
      const restoreRate = r.restoreMs > 0 ? `${fmt(r.restored / (r.restoreMs / 1000))} (${fmt(r.restored)} in ${fmt(r.restoreMs)} ms)` : `${fmt(r.restored)} records`;
      console.log(
        `| ${r.guarantee} | ${fmt(r.throughput)} | ${(r.throughput / ceiling).toFixed(3)} | ${fmt(r.p50)} ms | ${fmt(r.p99)} ms | ${fmt(r.max)} ms | ${restoreRate} | ${fmt(r.visibleP50)} ms | ${fmt(r.visibleP99)} ms |`,
      );
    }
    console.log(`\nlatency samples (append, visible): ${results.map((r) => `${r.guarantee} ${r.latencySamples}, ${r.visibleSamples}`).join('; ')}`);
    console.log(`event-loop utilisation during the backlog: ${results.map((r) => `${r.guarantee} ${r.backlogElu.toFixed(3)}`).join(', ')}`);
  } finally {
    await admin.close();
    if (cluster?.started) await down({ topology: 'single', log });
  }
}

await main();
