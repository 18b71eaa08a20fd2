/**
 * Issue 8's latency harness: open-loop load against the fraud topology on a
 * real broker, side by side with a decode-and-discard ceiling and a Kafka
 * Streams reference, in one run. Not a test. See bench/README.md.
 *
 *   npm run bench -- latency [--quick] [--rounds 2] [--systems ceiling,vigil-alos,vigil-eos,kstreams-alos,kstreams-eos,flow-alos,flow-eos]
 *                            [--rates 25,50,100] [--step-seconds 10] [--backlog 5000] [--backlog-seconds 60] [--name latency] [--cpu-prof]
 *
 * Defaults: --quick = ceiling, vigil-eos, kstreams-eos; 50 and 200 tx/s × 4 s; 1,500-record backlog (40 s cap).
 * Full = all seven systems, 25 → 3200 tx/s doubling × 10 s, 5,000-record backlog (60 s cap), 2 rounds.
 *
 * Uses KAFKA_BROKERS and SCHEMA_REGISTRY_URL when set (the broker's pid is
 * read from the single topology's run directory for VIGIL_PORT_OFFSET, for its CPU and RSS);
 * otherwise starts the single-broker cluster through src/cluster and stops it.
 *
 * Per system and round:
 *  1. fresh topics (4 partitions, message.timestamp.type=LogAppendTime),
 *     the fixture's profiles, then the system in its own process;
 *  2. a 3 s warm-up, then one step per rate: transactions are produced on a
 *     fixed schedule (every 5 ms, whatever is due) that never waits for the
 *     system, for `step-seconds`; every transaction's append time comes from
 *     the produce response, every alert's from the alert record, both stamped
 *     by the broker. Every transaction alerts (logistic.ts, threshold 0), so
 *     every transaction is a sample. Steps stop after the first whose p99
 *     exceeds 2 s or whose delivered rate falls below 95 % of the offered one
 *     (each step is marked within the 100 ms budget or not; the "max rate"
 *     is the highest step within it);
 *  3. backlog: the system is stopped, a fresh instance (new application id,
 *     new alerts topic) processes the whole input topic from the start:
 *     records/s. The ceiling system also runs kafka-consumer-perf-test on it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { down, up } from '../../src/cluster/cluster.js';
import { projectRoot, runDir } from '../../src/cluster/paths.js';
import { createLogger } from '../../src/log.js';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/vigil-schema.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import { messageIndexesOf, parseProtobufSchema } from '../../src/registry/schema-registry.js';
import { connectAdmin, connectConsumer, connectProducer } from '../../src/streams/runtime/kafka/index.js';
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, ProducedRecord } from '../../src/streams/runtime/kafka/index.js';
import { encodeWireFormat } from '../../src/streams/serde/wire-format.js';
import { buildKafkaStreamsReference, consumerPerfTest, startKafkaStreams, startNodeChild, type Child, type PerfTestResult } from './children.js';
import { Histogram, summarize, type LatencySummary } from './histogram.js';
import { logisticMetadata, writeLogisticModelFile } from './logistic.js';
import { ProcessWatcher, sampleProcess, type ProcUsage } from './proc-stats.js';
import { writeReport, type RunResult, type StepResult, type SystemRun } from './report.js';
import type { SutConfig } from './systems.js';
import { loadWorkload, partitionOf, type Workload } from './workload.js';

const PARTITIONS = 4;
const LOG_APPEND = { 'message.timestamp.type': 'LogAppendTime' };
const BUDGET_MS = 100;
const TICK_MS = 5;
const WARMUP_SECONDS = 3;
/** Stepping stops once p99 passes this (or the system stops keeping up); the budget verdict is per step. */
const HARD_STOP_MS = 2_000;

export type SystemName = 'ceiling' | 'vigil-alos' | 'vigil-eos' | 'kstreams-alos' | 'kstreams-eos' | 'flow-alos' | 'flow-eos';
const ALL_SYSTEMS: SystemName[] = ['ceiling', 'vigil-alos', 'vigil-eos', 'kstreams-alos', 'kstreams-eos', 'flow-alos', 'flow-eos'];

interface Args {
  quick: boolean;
  rounds: number;
  systems: SystemName[];
  rates: number[];
  stepSeconds: number;
  backlog: number;
  /** Give up on the backlog after this long and report the rate so far. */
  backlogSeconds: number;
  name: string;
  cpuProf: boolean;
  commitIntervalMs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const systems = (get('systems')?.split(',') ?? (quick ? ['ceiling', 'vigil-eos', 'kstreams-eos'] : ALL_SYSTEMS)) as SystemName[];
  for (const s of systems) if (!ALL_SYSTEMS.includes(s)) throw new Error(`unknown system ${s}; one of ${ALL_SYSTEMS.join(', ')}`);
  return {
    quick,
    rounds: Number(get('rounds') ?? (quick ? 1 : 2)),
    systems,
    rates: (get('rates') ?? (quick ? '50,200' : '25,50,100,200,400,800,1600,3200')).split(',').map(Number),
    stepSeconds: Number(get('step-seconds') ?? (quick ? 4 : 10)),
    backlog: Number(get('backlog') ?? (quick ? 1_500 : 5_000)),
    backlogSeconds: Number(get('backlog-seconds') ?? (quick ? 40 : 60)),
    name: get('name') ?? (quick ? 'latency-quick' : 'latency'),
    cpuProf: argv.includes('--cpu-prof'),
    commitIntervalMs: Number(get('commit-interval') ?? 100),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The alert id Vigil and the reference both write: `<topic>/<partition>/<offset>` of the transaction (field 1 of Alert). */
function alertIdOf(frame: Buffer): string | null {
  // Skip magic byte + schema id + message-index array (zigzag varints: count, then indexes).
  let o = 5;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = frame[o++] as number;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const count = varint() / 2;
  for (let i = 0; i < count; i++) varint();
  while (o < frame.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (field === 1) return frame.toString('utf8', o, o + len);
      o += len;
    } else if (wire === 0) varint();
    else if (wire === 1) o += 8;
    else if (wire === 5) o += 4;
    else return null;
  }
  return null;
}

interface Env {
  brokers: string[];
  registryUrl: string;
  admin: KafkaAdmin;
  workload: Workload;
  schema: string;
  watcher: ProcessWatcher;
  tmp: string;
  logDir: string;
  args: Args;
  modelFile: string;
}

/** One system's topics, serdes, producer and bookkeeping of every transaction sent. */
class Session {
  readonly id = randomUUID().slice(0, 8);
  readonly topics: SutConfig['topics'];
  private producer!: KafkaProducer;
  private txSerde!: RegistrySerde<Transaction>;
  /** Transaction index → broker append time (ms). */
  readonly appendMs: number[] = [];
  /** `partition/offset` → transaction index. */
  private readonly byCoordinates = new Map<string, number>();
  /** Transaction id → index, for alerts without source coordinates (@kafkats/flow: `tx/<id>`). */
  private readonly byTransactionId = new Map<string, number>();
  readonly alertMs = new Map<number, number>();
  readonly visibleMs = new Map<number, number>();
  next = 0;
  sendFailures = 0;
  private inFlight = new Set<Promise<void>>();
  private alertReader: KafkaConsumer | undefined;

  constructor(
    private readonly env: Env,
    readonly system: SystemName,
  ) {
    this.topics = {
      transactions: `lat-tx-${this.id}`,
      userProfiles: `lat-profiles-${this.id}`,
      alerts: `lat-alerts-${this.id}`,
      deadLetter: `lat-dlq-${this.id}`,
    };
  }

  async open(): Promise<void> {
    const { env } = this;
    await env.admin.createTopics(Object.values(this.topics).map((topic) => ({ topic, partitions: PARTITIONS, config: LOG_APPEND })));
    this.txSerde = registrySerde<Transaction>({ url: env.registryUrl, topics: [this.topics.transactions], schema: env.schema, messageName: 'vigil.v1.Transaction', refreshIntervalMs: 0 });
    await this.txSerde.prepare();
    const profileSerde = registrySerde<UserProfile>({ url: env.registryUrl, topics: [this.topics.userProfiles], schema: env.schema, messageName: 'vigil.v1.UserProfile', refreshIntervalMs: 0 });
    await profileSerde.prepare();
    this.producer = await connectProducer({ brokers: env.brokers }, { acks: 1 });
    await this.producer.send(env.workload.profiles.map((p) => ({ topic: this.topics.userProfiles, key: p.user_id, value: profileSerde.serialize(this.topics.userProfiles, p) })));
    profileSerde.close();
  }

  /** The alert frame header for the reference topology: magic byte, the alerts subject's schema id, Alert's message index. */
  async alertHeaderHex(alertsTopic: string): Promise<string> {
    const s = registrySerde<Alert>({ url: this.env.registryUrl, topics: [alertsTopic], schema: this.env.schema, messageName: 'vigil.v1.Alert', refreshIntervalMs: 0 });
    await s.prepare();
    const id = s.writerSchemaId(alertsTopic) as number;
    s.close();
    const indexes = messageIndexesOf(parseProtobufSchema(this.env.schema), 'vigil.v1.Alert');
    return encodeWireFormat({ schemaId: id, messageIndexes: indexes, payload: Buffer.alloc(0) }).toString('hex');
  }

  /** Reads an alerts topic (read_committed, as a downstream would) and matches each alert to its transaction. */
  async readAlerts(topic: string): Promise<void> {
    await this.alertReader?.close();
    this.alertMs.clear();
    this.visibleMs.clear();
    const c = await connectConsumer({ brokers: this.env.brokers }, { groupId: `lat-reader-${randomUUID().slice(0, 8)}`, isolation: 'read_committed', maxWaitTimeMs: 20, maxBytesPerPartition: 4 << 20 });
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({
      eachBatch: async (batch) => {
        const now = Date.now();
        for (const r of batch.records) {
          if (!r.value) continue;
          const id = alertIdOf(r.value);
          const i = id === null ? undefined : id.startsWith('tx/') ? this.byTransactionId.get(id.slice(3)) : this.byCoordinates.get(id.slice(id.indexOf('/') + 1));
          if (i === undefined || this.alertMs.has(i)) continue;
          this.alertMs.set(i, r.timestamp);
          this.visibleMs.set(i, now);
        }
      },
    });
    this.alertReader = c;
  }

  private sendRange(from: number, to: number): void {
    const records: ProducedRecord[] = [];
    const byPartition = new Map<number, number[]>();
    for (let i = from; i < to; i++) {
      const tx = this.env.workload.at(i);
      const partition = partitionOf(tx.card_id, PARTITIONS);
      if (this.system.startsWith('flow')) this.byTransactionId.set(tx.transaction_id, i);
      records.push({ topic: this.topics.transactions, partition, key: tx.card_id, value: this.txSerde.serialize(this.topics.transactions, tx) });
      const list = byPartition.get(partition) ?? [];
      list.push(i);
      byPartition.set(partition, list);
    }
    // Records of one partition in one request are appended in order: offset = base + position.
    const p = this.producer
      .send(records)
      .then((results) => {
        for (const r of results) {
          const list = byPartition.get(r.partition) ?? [];
          const base = Number(r.baseOffset);
          list.forEach((i, k) => {
            this.appendMs[i] = r.logAppendTime;
            this.byCoordinates.set(`${r.partition}/${base + k}`, i);
          });
        }
      })
      .catch(() => {
        this.sendFailures += to - from;
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Open loop: `rate` transactions/s for `seconds`, on schedule, never waiting for the system. Returns the index range. */
  async offer(rate: number, seconds: number): Promise<{ from: number; to: number; lateTicks: number }> {
    const from = this.next;
    const total = Math.round(rate * seconds);
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - start;
        const due = Math.min(total, Math.floor((elapsed / 1000) * rate));
        const n = due - (this.next - from);
        if (n > 0) {
          this.sendRange(this.next, this.next + n);
          this.next += n;
        }
        if (this.next - from >= total) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    // How far the schedule slipped (the harness itself starved of CPU): the offered rate was lower by that much.
    const wallSeconds = (performance.now() - start) / 1000;
    const lateTicks = Math.max(0, Math.round((wallSeconds - seconds) * 1000));
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return { from, to: this.next, lateTicks };
  }

  countAlerts(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.alertMs.has(i)) n++;
    return n;
  }

  async close(): Promise<void> {
    await this.alertReader?.close();
    await this.producer.close();
    this.txSerde.close();
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

function sutConfig(env: Env, s: Session, applicationId: string, guarantee: SutConfig['guarantee'], alerts: string, extra: Partial<SutConfig> = {}): SutConfig {
  return {
    brokers: env.brokers,
    registryUrl: env.registryUrl,
    applicationId,
    guarantee,
    topics: { ...s.topics, alerts },
    stateDir: mkdtempSync(join(env.tmp, `${applicationId}-`)),
    commitIntervalMs: env.args.commitIntervalMs,
    ...extra,
  };
}

async function startSystem(env: Env, s: Session, label: string, alerts: string, extra: Partial<SutConfig> = {}): Promise<Child & { statsFile: string }> {
  const guarantee = s.system.endsWith('-eos') ? 'exactly_once' : 'at_least_once';
  const appId = `lat-${s.system}-${label}-${s.id}`;
  const config = sutConfig(env, s, appId, guarantee, alerts, { statsFile: join(env.logDir, `${appId}.stats.json`), ...extra });
  const log = join(env.logDir, `${appId}.log`);
  let child: Child;
  if (s.system === 'ceiling') child = startNodeChild(s.system, 'ceiling-app.ts', config, log);
  else if (s.system.startsWith('vigil')) {
    const prof = env.args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(env.logDir, 'cpu-prof')}`] : [];
    child = startNodeChild(s.system, 'vigil-app.ts', config, log, prof);
  } else if (s.system.startsWith('flow')) child = startNodeChild(s.system, 'flow-app.ts', config, log);
  else child = startKafkaStreams(s.system, config, env.modelFile, await s.alertHeaderHex(alerts), log);
  await child.ready;
  return Object.assign(child, { statsFile: config.statsFile as string });
}

/** What the Vigil child wrote about its commits when it stopped, if it did. */
function engineStats(file: string): object | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as object;
  } catch {
    return undefined;
  }
}

/** Append → receipt from the ceiling child, since its last snapshot. */
function ceilingSnapshot(child: Child): Promise<{ histogram: Histogram; seen: number }> {
  return new Promise((resolve) => {
    const onMessage = (m: { histogram?: ReturnType<Histogram['toJSON']>; seen?: number }) => {
      if (!m.histogram) return;
      child.process.off('message', onMessage);
      resolve({ histogram: Histogram.fromJSON(m.histogram), seen: m.seen ?? 0 });
    };
    child.process.on('message', onMessage);
    child.process.send?.({ snapshot: true });
  });
}

async function step(env: Env, s: Session, child: Child, rate: number, seconds: number, record: boolean): Promise<StepResult> {
  env.watcher.begin();
  if (s.system === 'ceiling') await ceilingSnapshot(child);
  const wallStart = Date.now();
  const { from, to, lateTicks } = await s.offer(rate, seconds);
  const sent = to - from;
  const append = new Histogram();
  const visible = new Histogram();
  let delivered = 0;
  let deliveredRate = 0;
  if (s.system === 'ceiling') {
    await waitFor(() => false, 1_000);
    const snap = await ceilingSnapshot(child);
    append.add(snap.histogram);
    delivered = snap.histogram.total;
    deliveredRate = delivered >= sent ? rate : (delivered / sent) * rate;
  } else {
    await waitFor(() => s.countAlerts(from, to) >= sent, Math.max(5_000, seconds * 1000));
    let firstAppend = Number.POSITIVE_INFINITY;
    let lastAlert = 0;
    for (let i = from; i < to; i++) {
      const a = s.alertMs.get(i);
      const t = s.appendMs[i];
      if (a === undefined || t === undefined) continue;
      delivered++;
      append.record((a - t) * 1000);
      visible.record(((s.visibleMs.get(i) as number) - t) * 1000);
      firstAppend = Math.min(firstAppend, t);
      lastAlert = Math.max(lastAlert, a);
    }
    deliveredRate = delivered > 1 ? (delivered - 1) / Math.max(1e-3, (lastAlert - firstAppend) / 1000) : 0;
  }
  const procs = env.watcher.end();
  const sut = procs.find((p) => p.name === 'sut');
  const a = summarize(append);
  const result: StepResult = {
    rate,
    seconds,
    sent,
    delivered,
    deliveredRate: Math.round(deliveredRate),
    producerLateMs: lateTicks,
    appendToAlert: a,
    appendToVisible: s.system === 'ceiling' ? null : summarize(visible),
    histogram: append.toJSON(),
    procs,
    sutCpuMsPerTx: sut && delivered > 0 ? Math.round((sut.cpuSeconds * 1000 * 100) / delivered) / 100 : null,
    // The ceiling has no alerts to be late; it only has to keep up (its p99 is still reported).
    ok: delivered >= sent && deliveredRate >= rate * 0.95 && (s.system === 'ceiling' || a.p99 <= BUDGET_MS),
    wallStart: new Date(wallStart).toISOString(),
  };
  if (record) {
    const v = result.appendToVisible ? ` visible p99 ${result.appendToVisible.p99}` : '';
    log(`  ${s.system} ${rate}/s: ${delivered}/${sent} p50 ${a.p50} p99 ${a.p99} p99.9 ${a.p999} max ${a.max} ms${v}, delivered ${result.deliveredRate}/s, ${result.sutCpuMsPerTx ?? '?'} CPU ms/tx, ${procs.map((p) => `${p.name} ${p.cores}c ${p.maxRssMiB}MiB`).join(', ')}${result.ok ? '' : '  ✗'}`);
  }
  return result;
}

async function backlog(env: Env, s: Session): Promise<SystemRun['backlog']> {
  // Top the input up to the backlog size, as fast as the producer goes.
  if (s.next < env.args.backlog) {
    await s.offer(20_000, (env.args.backlog - s.next) / 20_000);
  }
  const n = s.next;
  const alerts = `lat-alerts-b-${s.id}`;
  let perfTest: PerfTestResult | { error: string } | undefined;
  if (s.system === 'ceiling') {
    const child = startNodeChild('ceiling', 'ceiling-app.ts', sutConfig(env, s, `lat-ceiling-b-${s.id}`, 'at_least_once', alerts, { expect: n }), join(env.logDir, `ceiling-b-${s.id}.log`));
    env.watcher.watch('sut', child.pid);
    env.watcher.begin();
    const done = new Promise<{ seconds: number }>((resolve) => child.process.on('message', (m: { done?: boolean; seconds: number }) => m.done && resolve(m)));
    await child.ready;
    const r = await Promise.race([done, sleep(env.args.backlogSeconds * 1000).then(() => ({ seconds: Number.NaN }))]);
    const procs = env.watcher.end();
    await child.stop();
    perfTest = consumerPerfTest(env.brokers, s.topics.transactions, n);
    log(`  ceiling backlog: ${n} records in ${r.seconds.toFixed(2)} s = ${Math.round(n / r.seconds)}/s; kafka-consumer-perf-test: ${'error' in perfTest ? perfTest.error : `${perfTest.recordsPerSecond}/s`}`);
    return { records: n, seconds: r.seconds, recordsPerSecond: Math.round(n / r.seconds), procs, perfTest };
  }
  await env.admin.createTopics([{ topic: alerts, partitions: PARTITIONS, config: LOG_APPEND }]);
  await s.readAlerts(alerts);
  const startWall = Date.now();
  const child = await startSystem(env, s, 'b', alerts);
  env.watcher.watch('sut', child.pid);
  env.watcher.begin();
  const readyWall = Date.now();
  const complete = await waitFor(() => s.alertMs.size >= n, env.args.backlogSeconds * 1000);
  const procs = env.watcher.end();
  let last = 0;
  for (const v of s.alertMs.values()) last = Math.max(last, v);
  await child.stop();
  const seconds = (last - readyWall) / 1000;
  log(`  ${s.system} backlog: ${s.alertMs.size}/${n} alerts, ${seconds.toFixed(2)} s after RUNNING (${((readyWall - startWall) / 1000).toFixed(1)} s to start) = ${Math.round(s.alertMs.size / seconds)}/s${complete ? '' : ' (incomplete)'}`);
  return { records: s.alertMs.size, seconds, recordsPerSecond: Math.round(s.alertMs.size / seconds), procs, complete };
}

async function runSystem(env: Env, system: SystemName, round: number): Promise<SystemRun> {
  log(`round ${round}: ${system}`);
  const s = new Session(env, system);
  // Topic creation right after a deletion sometimes answers UNKNOWN_TOPIC_OR_PARTITION once: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await s.open();
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`  (opening topics failed: ${(e as Error).message}; retrying)`);
      await sleep(2_000);
    }
  }
  if (system !== 'ceiling') await s.readAlerts(s.topics.alerts);
  const startedAt = performance.now();
  const child = await startSystem(env, s, 'r', s.topics.alerts);
  const startupSeconds = (performance.now() - startedAt) / 1000;
  env.watcher.watch('sut', child.pid);
  const steps: StepResult[] = [];
  try {
    await step(env, s, child, env.args.rates[0] as number, WARMUP_SECONDS, false);
    for (const rate of env.args.rates) {
      const r = await step(env, s, child, rate, env.args.stepSeconds, true);
      steps.push(r);
      // Past the budget the curve is still worth drawing while the system keeps up; stop when it no longer follows the offered rate.
      if (r.delivered < r.sent || r.deliveredRate < rate * 0.95 || r.appendToAlert.p99 > HARD_STOP_MS) break;
    }
  } finally {
    await child.stop();
  }
  const stats = engineStats(child.statsFile);
  if (stats) log(`  ${system} engine: ${JSON.stringify(stats)}`);
  const backlogResult = await backlog(env, s);
  env.watcher.unwatch('sut');
  await s.close();
  await cleanup(env, s);
  const sustained = steps.filter((r) => r.ok).map((r) => r.rate);
  return { system, round, startupSeconds, steps, maxRateAtBudget: sustained.length ? Math.max(...sustained) : 0, backlog: backlogResult, sendFailures: s.sendFailures, engineStats: stats };
}

async function cleanup(env: Env, s: Session): Promise<void> {
  try {
    const all = await env.admin.listTopics();
    const mine = all.filter((t) => t.includes(s.id));
    if (mine.length) await env.admin.deleteTopics(mine);
  } catch (e) {
    log(`  (topic cleanup failed: ${(e as Error).message})`);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function versions(): Record<string, string> {
  const java = spawnSync(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java', ['-version'], { encoding: 'utf8' });
  const pkg = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    node: process.version,
    java: (java.stderr ?? '').split('\n')[0] ?? 'unknown',
    kafka: '4.1.2 (broker, kafka-streams, kafka-consumer-perf-test)',
    kafkajs: pkg('kafkajs'),
    classicLevel: pkg('classic-level'),
    git: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).stdout.trim(),
  };
}

function machine(): RunResult['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const startMachine = machine();
  const external = process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL;
  const clusterLog = createLogger('bench-latency', process.env.LOG_LEVEL ?? 'warn');
  const cluster = external ? undefined : await up({ topology: 'single', log: clusterLog, ownerPid: process.pid });
  const brokers = (process.env.KAFKA_BROKERS && external ? process.env.KAFKA_BROKERS : (cluster?.primary ?? '')).split(',');
  const registryUrl = (external ? process.env.SCHEMA_REGISTRY_URL : cluster?.registryUrl) as string;
  const stopCluster = cluster?.started ? () => down({ topology: 'single', log: clusterLog }).then(() => undefined) : undefined;
  if (args.systems.some((s) => s.startsWith('kstreams'))) buildKafkaStreamsReference();
  const tmp = mkdtempSync(join(os.tmpdir(), 'vigil-latency-'));
  const logDir = join(projectRoot, 'bench', 'results', 'tmp', `${started.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(logDir, { recursive: true });
  const admin = await connectAdmin({ brokers });
  const watcher = new ProcessWatcher();
  watcher.watch('harness', process.pid);
  for (const [name, file] of [['broker', 'broker-local.pid'], ['registry', 'registry.pid']] as const) {
    // The cluster's run directory (one per VIGIL_PORT_OFFSET); run with the offset the cluster was started with.
    const path = join(runDir('single'), file);
    const pid = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid : undefined;
    if (pid && sampleProcess(pid)) watcher.watch(name, pid);
  }
  const env: Env = {
    brokers,
    registryUrl,
    admin,
    workload: await loadWorkload(),
    schema: readFileSync(VIGIL_PROTO_PATH, 'utf8'),
    watcher,
    tmp,
    logDir,
    args,
    modelFile: writeLogisticModelFile(tmp, logisticMetadata(0)),
  };
  log(`latency harness: ${args.systems.join(', ')}; rates ${args.rates.join(', ')}/s × ${args.stepSeconds} s; ${args.rounds} round(s); logs in ${logDir}`);
  const runs: SystemRun[] = [];
  try {
    for (let round = 1; round <= args.rounds; round++) {
      // Rotate the order each round so no system always runs first (or last) on the shared machine.
      const order = args.systems.map((_, i) => args.systems[(i + round - 1) % args.systems.length] as SystemName);
      for (const system of order) runs.push(await runSystem(env, system, round));
    }
  } finally {
    await admin.close();
    rmSync(tmp, { recursive: true, force: true });
    await stopCluster?.();
  }
  const result: RunResult = {
    name: args.name,
    date: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { ...startMachine, loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
    versions: versions(),
    args,
    budgetMs: BUDGET_MS,
    partitions: PARTITIONS,
    fixture: `test/fixtures/small (${env.workload.base.length} transactions, ${env.workload.profiles.length} profiles), replayed in rounds`,
    runs,
  };
  const files = writeReport(result, join(projectRoot, 'bench', 'results'));
  log(`results: ${files.join(', ')}`);
}

export type { LatencySummary, ProcUsage };

await main();
process.exit(0);
