/**
 * The latency harness (issues 8 and 12): open-loop load against the fraud
 * topology on a real broker, side by side with a decode-and-discard ceiling
 * and a Kafka Streams reference, in one run. Not a test. See bench/README.md.
 *
 *   npm run bench -- latency [--quick] [--rounds 3] [--systems ceiling,vigil-eos,kstreams-eos,...]
 *       [--warmup 20000] [--backlog 100000] [--commit-interval 100] [--compare <git-rev>]
 *       [--start-rate 50] [--max-rate 12800] [--resolution 1.1] [--max-steps 12] [--rates 50,200]
 *       [--step-seconds 10] [--backlog-seconds 600] [--linger-ms 0] [--no-dedupe] [--restore | --no-restore]
 *       [--webhook] [--topology single|multi-region] [--allow-noisy] [--name latency] [--out bench/results] [--cpu-prof]
 *
 * Quick: ceiling, vigil-eos, kstreams-eos; 1 round; 20,000 warm-up + 30,000 backlog;
 * rate search from 200 tx/s, 4 s steps, to within 25 %. Full: 3 rounds, 100,000 backlog,
 * from 50 tx/s, 10 s steps, to within 10 %.
 *
 * The run refuses to start when the 1-minute load is above 1.5 (guard.ts)
 * unless --allow-noisy; the commit is read before it starts. Per round (the
 * order of systems rotates each round) and system:
 *  1. fresh topics (4 partitions, LogAppendTime) and the fixture's profiles;
 *  2. the warm-up and the backlog, pre-produced before the system starts:
 *     transactions 0 … W+N−1 of the replayed fixture, the same keys, partitions
 *     and bytes for every system (a SHA-256 of them is recorded per run);
 *  3. the system starts (cold: time to RUNNING), works through the W warm-up
 *     transactions and then the N backlog ones: backlog throughput is N over
 *     the first backlog alert's append to the last backlog alert visible to a
 *     read_committed consumer (committed);
 *  4. the same warm process then gets live open-loop load (a fixed 5 ms
 *     schedule that never waits for it), one step per rate, chosen by
 *     rate-search.ts: doubling until a step does not keep up (delivered
 *     ≥ 98 % of offered, lag not growing), then bisection;
 *  5. it stops, and (full mode, or --restore) a new instance with the same
 *     application id and an empty state directory measures the time to
 *     restore and reach RUNNING.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { down, processNames, restartMirrorMaker, up } from '../../src/cluster/cluster.js';
import { describeTopology } from '../../src/cluster/topology.js';
import { projectRoot, runDir } from '../../src/cluster/paths.js';
import { createLogger } from '../../src/log.js';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/vigil-schema.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import { messageIndexesOf, parseProtobufSchema } from '../../src/registry/schema-registry.js';
import { connectAdmin, connectConsumer, connectProducer } from '../../src/streams/kafka/index.js';
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, ProducedRecord } from '../../src/streams/kafka/index.js';
import { encodeWireFormat } from '../../src/streams/serde/wire-format.js';
import { USAGE, parseArgs, type Args, type BaseSystem, type SystemName } from './args.js';
import { prepareCompareTree, type CompareTree } from './compare.js';
import { guardVerdict, noisyAtEnd, provenance, sampleLoad } from './guard.js';
import { RateSearch, budgetP99, keepsUp, sustainableRate, withinBudgetRate, type LagSample } from './rate-search.js';
import { buildKafkaStreamsReference, consumerPerfTest, startKafkaStreams, startNodeChild, type Child, type PerfTestResult } from './children.js';
import { Histogram, summarize, type LatencySummary } from './histogram.js';
import { logisticMetadata, writeLogisticModelFile } from './logistic.js';
import { ProcessWatcher, sampleProcess, type ProcUsage } from './proc-stats.js';
import { writeReport, type RunResult, type StepResult, type SystemRun } from './report.js';
import type { SutConfig } from './systems.js';
import { loadWorkload, partitionOf, type Workload } from './workload.js';
import { healthyReceiver, type Receiver } from '../webhook/receivers.js';
import { dispatcherConfig } from '../../src/webhook/config.js';
import { WebhookDispatcher } from '../../src/webhook/dispatcher.js';
import { WebhookSecret } from '../../src/webhook/secret.js';

const PARTITIONS = 4;
const LOG_APPEND = { 'message.timestamp.type': 'LogAppendTime' };
const BUDGET_MS = 100;
const TICK_MS = 5;
/** Lag is read this often during a step (the keep-up rule's "lag does not grow"). */
const LAG_SAMPLE_MS = 250;

const baseOf = (s: SystemName): BaseSystem => s.split('@')[0] as BaseSystem;
/** --webhook: the secret the dispatcher signs with and the receiver verifies (a fixed test key). */
const WEBHOOK_SECRET = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 7)));

/** Session transaction topics; with a region, MirrorMaker 2 mirrors this prefix beside `transactions`. */
const MIRRORED_PREFIX = 'lat-tx-';
/** The region the multi-region mode appends to. */
const REGION = 'us-east';
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
  /**
   * --topology multi-region: the regional cluster the transactions are
   * appended to, and MirrorMaker 2 brings them to `brokers` (central).
   */
  region: { name: string; brokers: string[]; admin: KafkaAdmin } | undefined;
  registryUrl: string;
  admin: KafkaAdmin;
  workload: Workload;
  schema: string;
  watcher: ProcessWatcher;
  tmp: string;
  logDir: string;
  args: Args;
  modelFile: string;
  /** The --compare revision's worktree, when given. */
  compare: CompareTree | undefined;
}

/** One system's topics, serdes, producer and bookkeeping of every transaction sent. */
class Session {
  readonly id = randomUUID().slice(0, 8);
  readonly topics: SutConfig['topics'];
  /** Where the transactions are appended: `topics.transactions`, or with a region its topic there, which MM2 mirrors to `topics.transactions`. */
  readonly sourceTopic: string;
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
  /** Alerts matched to a transaction, in all and for indexes below `warmup`. */
  alerted = 0;
  alertedWarm = 0;
  /** SHA-256 over partition, key and value of every record sent while set (the pre-produced part). */
  private hash: ReturnType<typeof createHash> | undefined;
  private inFlight = new Set<Promise<void>>();
  private alertReader: KafkaConsumer | undefined;
  /** --webhook: transaction index → when the receiver answered 2xx to the dispatcher's POST of its alert. */
  readonly webhookMs = new Map<number, number>();
  private webhook: { dispatcher: WebhookDispatcher; receiver: Receiver } | undefined;

  constructor(
    private readonly env: Env,
    readonly system: SystemName,
  ) {
    this.sourceTopic = `${MIRRORED_PREFIX}${this.id}`;
    this.topics = {
      // MirrorMaker 2's default replication policy names a mirrored topic `<source cluster>.<topic>`.
      transactions: env.region ? `${env.region.name}.${this.sourceTopic}` : this.sourceTopic,
      userProfiles: `lat-profiles-${this.id}`,
      alerts: `lat-alerts-${this.id}`,
      deadLetter: `lat-dlq-${this.id}`,
    };
  }

  async open(): Promise<void> {
    const { env } = this;
    const { transactions, ...central } = this.topics;
    await env.admin.createTopics(Object.values(central).map((topic) => ({ topic, partitions: PARTITIONS, config: LOG_APPEND })));
    if (env.region) {
      await env.region.admin.createTopics([{ topic: this.sourceTopic, partitions: PARTITIONS, config: LOG_APPEND }]);
      // The mirror keeps CreateTime, so each record keeps its regional append time (MM2 does not copy message.timestamp.type).
      await env.admin.createTopics([{ topic: transactions, partitions: PARTITIONS }]);
    } else await env.admin.createTopics([{ topic: transactions, partitions: PARTITIONS, config: LOG_APPEND }]);
    this.txSerde = registrySerde<Transaction>({ url: env.registryUrl, topics: [this.sourceTopic], schema: env.schema, messageName: 'vigil.v1.Transaction', refreshIntervalMs: 0 });
    await this.txSerde.prepare();
    const profileSerde = registrySerde<UserProfile>({ url: env.registryUrl, topics: [this.topics.userProfiles], schema: env.schema, messageName: 'vigil.v1.UserProfile', refreshIntervalMs: 0 });
    await profileSerde.prepare();
    const centralProducer = await connectProducer({ brokers: env.brokers }, { acks: 1 });
    await centralProducer.send(env.workload.profiles.map((p) => ({ topic: this.topics.userProfiles, key: p.user_id, value: profileSerde.serialize(this.topics.userProfiles, p) })));
    profileSerde.close();
    if (env.region) {
      await centralProducer.close();
      this.producer = await connectProducer({ brokers: env.region.brokers }, { acks: 1 });
    } else this.producer = centralProducer;
  }

  /**
   * --topology multi-region: waits until MirrorMaker 2 has copied every
   * pre-produced record to central, so the backlog times the system, not the
   * mirror. Equal end offsets (both topics new, the regional producer not
   * transactional) also mean a mirrored record sits at its regional offset,
   * which the alert ids (`<topic>/<partition>/<offset>`) are matched by.
   */
  async awaitMirrored(timeoutMs: number): Promise<void> {
    const region = this.env.region;
    if (!region) return;
    const key = (offsets: Array<{ partition: number; offset: string }>) =>
      offsets
        .sort((a, b) => a.partition - b.partition)
        .map((o) => `${o.partition}:${o.offset}`)
        .join(',');
    const source = key(await region.admin.endOffsets(this.sourceTopic));
    const deadline = performance.now() + timeoutMs;
    let mirrored = '';
    while (performance.now() < deadline) {
      mirrored = key(await this.env.admin.endOffsets(this.topics.transactions));
      if (mirrored === source) return;
      await sleep(250);
    }
    throw new Error(
      `MirrorMaker 2 did not mirror ${this.sourceTopic} to ${this.topics.transactions} within ${timeoutMs / 1000} s (end offsets ${source} on ${region.name}, ${mirrored} on central); ` +
        `see mirror-maker.log under ${runDir('multi-region')}`,
    );
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
    this.alerted = 0;
    this.alertedWarm = 0;
    const c = await connectConsumer({ brokers: this.env.brokers }, { groupId: `lat-reader-${randomUUID().slice(0, 8)}`, isolation: 'read_committed', maxWaitTimeMs: 20, maxBytesPerPartition: 4 << 20 });
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({
      eachBatch: async (batch) => {
        const now = Date.now();
        for (const r of batch.records) {
          if (!r.value) continue;
          const id = alertIdOf(r.value);
          const i = id === null ? undefined : this.indexOfAlert(id);
          if (i === undefined || this.alertMs.has(i)) continue;
          this.alertMs.set(i, r.timestamp);
          this.visibleMs.set(i, now);
          this.alerted++;
          if (i < this.env.args.warmup) this.alertedWarm++;
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
      if (baseOf(this.system).startsWith('flow')) this.byTransactionId.set(tx.transaction_id, i);
      const value = this.txSerde.serialize(this.sourceTopic, tx);
      if (value) this.hash?.update(`${partition}\0${tx.card_id}\0`).update(value);
      records.push({ topic: this.sourceTopic, partition, key: tx.card_id, value });
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

  /**
   * Transactions `next` … `count − 1` as fast as the producer goes, every one
   * acknowledged before this returns; the SHA-256 of what was sent.
   */
  async preProduce(count: number): Promise<string> {
    this.hash = createHash('sha256');
    const chunk = 2_000;
    while (this.next < count) {
      const to = Math.min(count, this.next + chunk);
      this.sendRange(this.next, to);
      this.next = to;
      // A few requests in flight at a time keeps the producer's memory flat.
      if (this.inFlight.size >= 8) await Promise.race([...this.inFlight]);
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    const digest = this.hash.digest('hex');
    this.hash = undefined;
    return digest;
  }

  /** Transactions of [from, to) acknowledged by the broker but not yet alerted. */
  lagOf(from: number, to: number): number {
    let lag = 0;
    for (let i = from; i < to; i++) if (this.appendMs[i] !== undefined && !this.alertMs.has(i)) lag++;
    return lag;
  }

  /**
   * Open loop: `rate` transactions/s for `seconds`, on schedule, never waiting
   * for the system. Returns the index range and the lag read every
   * LAG_SAMPLE_MS (when `sampleLag`).
   */
  async offer(rate: number, seconds: number, sampleLag = false): Promise<{ from: number; to: number; lateTicks: number; lag: LagSample[] }> {
    const from = this.next;
    const total = Math.round(rate * seconds);
    const start = performance.now();
    const lag: LagSample[] = [];
    const sampler = sampleLag ? setInterval(() => lag.push({ t: (performance.now() - start) / 1000, lag: this.lagOf(from, this.next) }), LAG_SAMPLE_MS) : undefined;
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
    clearInterval(sampler);
    const wallSeconds = (performance.now() - start) / 1000;
    const lateTicks = Math.max(0, Math.round((wallSeconds - seconds) * 1000));
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    return { from, to: this.next, lateTicks, lag };
  }

  /** The transaction an alert id names: `tx/<id>` (@kafkats/flow) or `<topic>/<partition>/<offset>`. */
  private indexOfAlert(id: string): number | undefined {
    return id.startsWith('tx/') ? this.byTransactionId.get(id.slice(3)) : this.byCoordinates.get(id.slice(id.indexOf('/') + 1));
  }

  /**
   * --webhook: the real dispatcher (src/webhook: signed Standard Webhooks,
   * retries, per-endpoint lanes) reads the alerts topic read_committed, as
   * `vigil dispatch` does, and POSTs each alert to a local receiver that
   * verifies the signature and answers 204, as the dashboard's endpoint does.
   * The same path for every system, so it compares their alerts' timing,
   * not their delivery code.
   */
  async deliverWebhooks(topic: string): Promise<void> {
    await this.stopWebhooks();
    this.webhookMs.clear();
    const receiver = await healthyReceiver([WEBHOOK_SECRET], (body, at) => {
      const i = this.indexOfAlert(body.data.alert.alert_id);
      if (i !== undefined && !this.webhookMs.has(i)) this.webhookMs.set(i, at);
    });
    const group = `lat-webhook-${this.id}-${randomUUID().slice(0, 4)}`;
    const dispatcher = await WebhookDispatcher.start(
      // A new group from the end of the topic: the steps' alerts, not the backlog's.
      dispatcherConfig({ brokers: this.env.brokers, alertsTopic: topic, groupId: group, dlqTopic: `${group}.dlq`, stateTopic: `${group}.state`, fromBeginning: false, endpoints: [{ name: 'receiver', url: receiver.url, secrets: [WEBHOOK_SECRET] }] }),
      { log: createLogger('lat-webhook', 'error') },
    );
    this.webhook = { dispatcher, receiver };
  }

  private async stopWebhooks(): Promise<void> {
    const w = this.webhook;
    this.webhook = undefined;
    await w?.dispatcher.stop();
    await w?.receiver.close();
  }

  countWebhooks(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.webhookMs.has(i)) n++;
    return n;
  }

  countAlerts(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.alertMs.has(i)) n++;
    return n;
  }

  async close(): Promise<void> {
    await this.stopWebhooks();
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
    stateDir: mkdtempSync(join(env.tmp, `${applicationId.slice(0, 40)}-`)),
    commitIntervalMs: env.args.commitIntervalMs,
    lingerMs: env.args.lingerMs,
    dedupe: env.args.dedupe,
    ...extra,
  };
}

/** Starts the system for session `s` under `appId` and waits until it is RUNNING. */
async function startSystem(env: Env, s: Session, appId: string, extra: Partial<SutConfig> = {}, label = ''): Promise<Child & { statsFile: string }> {
  const base = baseOf(s.system);
  const guarantee = base.endsWith('-eos') ? 'exactly_once' : 'at_least_once';
  const srcRoot = s.system.includes('@') ? env.compare?.dir : undefined;
  const config = sutConfig(env, s, appId, guarantee, s.topics.alerts, { statsFile: join(env.logDir, `${appId}${label}.stats.json`), ...(srcRoot ? { srcRoot } : {}), ...extra });
  const log = join(env.logDir, `${appId}${label}.log`);
  let child: Child;
  if (base === 'ceiling') child = startNodeChild(s.system, 'ceiling-app.ts', config, log);
  else if (base.startsWith('vigil')) {
    const prof = env.args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(env.logDir, 'cpu-prof')}`] : [];
    child = startNodeChild(s.system, 'vigil-app.ts', config, log, prof);
  } else if (base.startsWith('flow')) child = startNodeChild(s.system, 'flow-app.ts', config, log);
  else child = startKafkaStreams(s.system, config, env.modelFile, await s.alertHeaderHex(s.topics.alerts), log);
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

/** When the ceiling child reached each of its marks (epoch ms). */
function ceilingMarks(child: Child): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const onMessage = (m: { marksAt?: Record<string, number> }) => {
      if (!m.marksAt) return;
      child.process.off('message', onMessage);
      resolve(m.marksAt);
    };
    child.process.on('message', onMessage);
    child.process.send?.({ marks: true });
  });
}

/** How long after offering ends a step's last alerts may still arrive and count: a few commit intervals. */
const settleMs = (env: Env) => Math.max(1_000, 3 * env.args.commitIntervalMs + 500);

async function step(env: Env, s: Session, child: Child, rate: number, seconds: number): Promise<StepResult> {
  env.watcher.begin();
  const ceiling = baseOf(s.system) === 'ceiling';
  if (ceiling) await ceilingSnapshot(child);
  const wallStart = Date.now();
  const { from, to, lateTicks, lag } = await s.offer(rate, seconds, !ceiling);
  const sent = to - from;
  const append = new Histogram();
  const visible = new Histogram();
  let delivered = 0;
  let deliveredRate = 0;
  let alertRate: number | null = null;
  if (ceiling) {
    await sleep(settleMs(env));
    const snap = await ceilingSnapshot(child);
    append.add(snap.histogram);
    delivered = snap.histogram.total;
    deliveredRate = delivered >= sent ? rate : (delivered / sent) * rate;
  } else {
    await waitFor(() => s.countAlerts(from, to) >= sent, settleMs(env));
    let firstAlert = Number.POSITIVE_INFINITY;
    let lastAlert = 0;
    for (let i = from; i < to; i++) {
      const a = s.alertMs.get(i);
      const t = s.appendMs[i];
      if (a === undefined || t === undefined) continue;
      delivered++;
      append.record((a - t) * 1000);
      visible.record(((s.visibleMs.get(i) as number) - t) * 1000);
      firstAlert = Math.min(firstAlert, a);
      lastAlert = Math.max(lastAlert, a);
    }
    // What reached the alerts topic by the end of the settle time, as a share of the offered rate; a
    // system slower than the rate but fast enough to clear the step within the settle time is caught by
    // the lag rule instead. (The span first append → last alert would count latency as lost throughput.)
    deliveredRate = sent > 0 ? (rate * delivered) / sent : 0;
    alertRate = delivered > 1 && lastAlert > firstAlert ? (delivered - 1) / ((lastAlert - firstAlert) / 1000) : 0;
  }
  let webhook: LatencySummary | null = null;
  if (!ceiling && env.args.webhook) {
    // The dispatcher starts after the alert is visible; give it the same settle time to deliver.
    await waitFor(() => s.countWebhooks(from, to) >= delivered, settleMs(env));
    const h = new Histogram();
    for (let i = from; i < to; i++) {
      const w = s.webhookMs.get(i);
      const t = s.appendMs[i];
      if (w !== undefined && t !== undefined) h.record((w - t) * 1000);
    }
    webhook = summarize(h);
  }
  const procs = env.watcher.end();
  const sut = procs.find((p) => p.name === 'sut');
  const a = summarize(append);
  const vis = ceiling ? null : summarize(visible);
  const verdict = keepsUp({ rate, seconds, sent, deliveredRate, lag, commitIntervalMs: env.args.commitIntervalMs });
  const result: StepResult = {
    rate,
    seconds,
    sent,
    delivered,
    deliveredRate: Math.round(deliveredRate),
    alertRate: alertRate === null ? null : Math.round(alertRate),
    producerLateMs: lateTicks,
    appendToAlert: a,
    appendToVisible: vis,
    ...(webhook ? { appendToWebhook: webhook } : {}),
    histogram: append.toJSON(),
    procs,
    sutCpuMsPerTx: sut && delivered > 0 ? Math.round((sut.cpuSeconds * 1000 * 100) / delivered) / 100 : null,
    keptUp: verdict.keptUp,
    lagGrowth: verdict.lagGrowth,
    lag: lag.filter((_, k) => k % 4 === 3).map((x) => [Math.round(x.t * 10) / 10, x.lag]),
    // The ceiling has no alerts to be late; it only has to keep up (its p99 is still reported).
    ok: verdict.keptUp && budgetP99({ appendToAlert: a, appendToVisible: vis }, ceiling) <= BUDGET_MS,
    wallStart: new Date(wallStart).toISOString(),
  };
  const v = (result.appendToVisible ? ` visible p99 ${result.appendToVisible.p99}` : '') + (webhook ? ` webhook p99 ${webhook.p99} (${webhook.count} delivered)` : '');
  log(
    `  ${s.system} ${rate}/s: ${delivered}/${sent} p50 ${a.p50} p99 ${a.p99} p99.9 ${a.p999} max ${a.max} ms${v}, delivered ${result.deliveredRate}/s, lag growth ${result.lagGrowth}, ` +
      `${result.sutCpuMsPerTx ?? '?'} CPU ms/tx, ${procs.map((p) => `${p.name} ${p.cores}c ${p.maxRssMiB}MiB`).join(', ')}${result.keptUp ? '' : '  (not kept up)'}${result.ok ? '' : '  ✗'}`,
  );
  return result;
}

/** CPU seconds of one process read every 200 ms, so the CPU between any two moments can be interpolated. */
class CpuTrace {
  private readonly points: Array<{ t: number; cpu: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.read();
    this.timer = setInterval(() => this.read(), 200);
  }

  private read(): void {
    const s = sampleProcess(this.pid);
    if (s) this.points.push({ t: Date.now(), cpu: s.cpuSeconds });
  }

  stop(): void {
    this.read();
    clearInterval(this.timer);
  }

  /** CPU seconds used between epoch-ms `a` and `b` (linear between readings). */
  between(a: number, b: number): number {
    const at = (t: number): number => {
      const p = this.points;
      if (p.length === 0) return Number.NaN;
      if (t <= (p[0] as { t: number }).t) return (p[0] as { cpu: number }).cpu;
      for (let i = 1; i < p.length; i++) {
        const x = p[i - 1] as { t: number; cpu: number };
        const y = p[i] as { t: number; cpu: number };
        if (t <= y.t) return x.cpu + ((y.cpu - x.cpu) * (t - x.t)) / Math.max(1, y.t - x.t);
      }
      return (p[p.length - 1] as { cpu: number }).cpu;
    };
    return at(b) - at(a);
  }
}

/**
 * Warm-up then backlog, both pre-produced before the system started: waits
 * for every alert (or the ceiling's count) and times the backlog part.
 * Partitions run through their warm-up at different times, so the backlog
 * window (first backlog alert → last backlog alert committed) can hold some
 * warm-up records: the rate and the CPU per transaction count every
 * transaction alerted inside the window, warm-up ones included.
 */
async function warmAndBacklog(env: Env, s: Session, child: Child, runningAt: number): Promise<{ warmup: SystemRun['warmup']; backlog: Omit<SystemRun['backlog'], 'sha256'> }> {
  const { warmup: w, backlog: n, backlogSeconds } = env.args;
  const deadline = performance.now() + backlogSeconds * 1000;
  const cpu = new CpuTrace(child.pid);
  env.watcher.begin();
  try {
    if (baseOf(s.system) === 'ceiling') {
      // The ceiling counts records, not alerts: it notes when it has seen w and then w + n records (SutConfig.marks).
      let marks: Record<string, number> = {};
      const complete = await (async () => {
        while (performance.now() < deadline) {
          marks = await ceilingMarks(child);
          if (marks.done !== undefined) return true;
          await sleep(100);
        }
        return false;
      })();
      const procs = env.watcher.end();
      cpu.stop();
      const warmAt = marks.warm ?? Number.NaN;
      const doneAt = marks.done ?? Number.NaN;
      const seconds = (doneAt - warmAt) / 1000;
      log(`  ceiling warm-up ${w} in ${((warmAt - runningAt) / 1000).toFixed(2)} s; backlog ${n} in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)}/s${complete ? '' : ' (incomplete)'}`);
      return {
        warmup: { records: w, seconds: (warmAt - runningAt) / 1000 },
        backlog: { records: complete ? n : 0, seconds, recordsPerSecond: Math.round(n / seconds), procs, complete, cpuMsPerTx: msPerTx(cpu.between(warmAt, doneAt), n) },
      };
    }
    const complete = await waitFor(() => s.alerted >= w + n, Math.max(0, deadline - performance.now()));
    const procs = env.watcher.end();
    cpu.stop();
    let lastWarm = 0;
    let first = Number.POSITIVE_INFINITY;
    let lastVisible = 0;
    let records = 0;
    for (let i = w; i < w + n; i++) {
      const a = s.alertMs.get(i);
      if (a === undefined) continue;
      records++;
      first = Math.min(first, a);
      lastVisible = Math.max(lastVisible, s.visibleMs.get(i) as number);
    }
    let inWindow = 0;
    for (let i = 0; i < w + n; i++) {
      const a = s.alertMs.get(i);
      if (a === undefined) continue;
      if (i < w) lastWarm = Math.max(lastWarm, s.visibleMs.get(i) as number);
      if (a >= first && a <= lastVisible) inWindow++;
    }
    const seconds = (lastVisible - first) / 1000;
    const warmSeconds = (lastWarm - runningAt) / 1000;
    log(
      `  ${s.system} warm-up ${s.alertedWarm}/${w} in ${warmSeconds.toFixed(1)} s; backlog ${records}/${n} alerts, ${inWindow} transactions in ${seconds.toFixed(2)} s = ` +
        `${Math.round(inWindow / seconds)}/s${complete ? '' : ' (incomplete)'}`,
    );
    return {
      warmup: { records: s.alertedWarm, seconds: warmSeconds },
      backlog: { records, recordsInWindow: inWindow, seconds, recordsPerSecond: Math.round(inWindow / seconds), procs, complete, cpuMsPerTx: msPerTx(cpu.between(first, lastVisible), inWindow) },
    };
  } finally {
    cpu.stop();
  }
}

function msPerTx(cpuSeconds: number, records: number): number | null {
  return Number.isFinite(cpuSeconds) && records > 0 ? Math.round((cpuSeconds * 1000 * 1000) / records) / 1000 : null;
}

/** Latency steps on the warm system: the rate search, or the fixed --rates. */
async function latencySteps(env: Env, s: Session, child: Child): Promise<{ steps: StepResult[]; capped: boolean }> {
  const { args } = env;
  const steps: StepResult[] = [];
  const search = args.rates ? undefined : new RateSearch({ start: args.startRate, max: args.maxRate, resolution: args.resolution, maxSteps: args.maxSteps, min: args.startRate / 8 });
  const fixed = [...(args.rates ?? [])];
  // After the backlog, so the dispatcher neither delivers the warm-up and backlog alerts nor competes with them.
  if (args.webhook && baseOf(s.system) !== 'ceiling') await s.deliverWebhooks(s.topics.alerts);
  const firstStep = s.next;
  for (;;) {
    const rate = search ? search.next() : fixed.shift();
    if (rate === undefined) break;
    const r = await step(env, s, child, rate, args.stepSeconds);
    steps.push(r);
    search?.record(rate, r.keptUp);
    if (!r.keptUp && baseOf(s.system) !== 'ceiling') {
      // The next step must start from an empty lag, or it measures this one's backlog.
      const drained = await waitFor(() => s.lagOf(firstStep, s.next) === 0, args.drainSeconds * 1000);
      if (!drained) {
        log(`  ${s.system}: still ${s.lagOf(firstStep, s.next)} behind ${args.drainSeconds} s after the step; stopping the search`);
        break;
      }
    }
  }
  // Fixed rates all kept up: the sustainable rate is at least the highest of them.
  return { steps, capped: search ? search.result().capped : steps.length > 0 && steps.every((x) => x.keptUp) };
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
  const produceStart = performance.now();
  const sha256 = await s.preProduce(env.args.warmup + env.args.backlog);
  log(`  pre-produced ${env.args.warmup} + ${env.args.backlog} transactions in ${((performance.now() - produceStart) / 1000).toFixed(1)} s (sha256 ${sha256.slice(0, 12)})`);
  if (env.region) {
    const mirrorStart = performance.now();
    await s.awaitMirrored(180_000);
    log(`  mirrored to central by MirrorMaker 2 in ${((performance.now() - mirrorStart) / 1000).toFixed(1)} s more`);
  }
  const ceiling = baseOf(system) === 'ceiling';
  if (!ceiling) await s.readAlerts(s.topics.alerts);
  const appId = `lat-${system.replace('@', '-')}-${s.id}`;
  const startedAt = performance.now();
  const child = await startSystem(env, s, appId, ceiling ? { marks: { warm: env.args.warmup, done: env.args.warmup + env.args.backlog } } : {});
  const runningAt = Date.now();
  const startupSeconds = (performance.now() - startedAt) / 1000;
  env.watcher.watch('sut', child.pid);
  let steps: StepResult[] = [];
  let capped = false;
  let phases: Awaited<ReturnType<typeof warmAndBacklog>>;
  try {
    phases = await warmAndBacklog(env, s, child, runningAt);
    ({ steps, capped } = await latencySteps(env, s, child));
  } finally {
    await child.stop();
    env.watcher.unwatch('sut');
  }
  const stats = engineStats(child.statsFile);
  if (stats) log(`  ${system} engine: ${JSON.stringify(stats)}`);
  let perfTest: PerfTestResult | { error: string } | undefined;
  if (ceiling) {
    // Kafka's own consumer on the same topic, for the consume ceiling's sanity.
    perfTest = consumerPerfTest(env.brokers, s.topics.transactions, env.args.warmup + env.args.backlog);
    log(`  kafka-consumer-perf-test: ${'error' in perfTest ? perfTest.error : `${perfTest.recordsPerSecond}/s`}`);
  }
  let restoreSeconds: number | null = null;
  if (env.args.restore && !ceiling) {
    // Same application id, empty state directory: everything comes back from the changelogs.
    const t0 = performance.now();
    const again = await startSystem(env, s, appId, {}, '-restore');
    restoreSeconds = (performance.now() - t0) / 1000;
    await again.stop();
    log(`  ${system} restore of ${s.next} transactions' state into an empty state directory: RUNNING after ${restoreSeconds.toFixed(1)} s`);
  }
  await s.close();
  await cleanup(env, s);
  const judged = steps.map((x) => ({ rate: x.rate, keptUp: x.keptUp, p99: budgetP99(x, ceiling) }));
  const withinBudget = withinBudgetRate(judged, BUDGET_MS);
  return {
    system,
    round,
    startupSeconds,
    restoreSeconds,
    warmup: phases.warmup,
    steps,
    maxRateAtBudget: withinBudget,
    withinBudgetRate: withinBudget,
    sustainableRate: sustainableRate(judged),
    sustainableCapped: capped,
    backlog: { ...phases.backlog, sha256, ...(perfTest ? { perfTest } : {}) },
    sendFailures: s.sendFailures,
    engineStats: stats,
  };
}

async function cleanup(env: Env, s: Session): Promise<void> {
  // The regional source first, or MirrorMaker 2 could create its mirror again.
  for (const admin of [env.region?.admin, env.admin]) {
    if (!admin) continue;
    try {
      const mine = (await admin.listTopics()).filter((t) => t.includes(s.id));
      if (mine.length) await admin.deleteTopics(mine);
    } catch (e) {
      log(`  (topic cleanup failed: ${(e as Error).message})`);
    }
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function versions(git: string): Record<string, string> {
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
    git,
  };
}

function machine(): Omit<RunResult['machine'], 'loadAtStart'> {
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
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(USAGE);
    return;
  }
  const args = parseArgs(argv);
  // Provenance and the machine's load before anything else runs.
  const started = new Date();
  const source = provenance(projectRoot);
  const loadAtStart = await sampleLoad();
  const verdict = guardVerdict(loadAtStart, args.allowNoisy);
  if (!verdict.start) {
    process.stderr.write(
      `bench latency: the machine is not quiet (${verdict.reason}; steal ${loadAtStart.stealPercent ?? '?'} %). ` +
        'Stop other work and wait for the load to fall, or pass --allow-noisy to run anyway (results are marked noisy and cannot feed the README).\n',
    );
    process.exitCode = 2;
    return;
  }
  if (verdict.noisy) log(`NOISY: ${verdict.reason}; results are marked noisy: true`);
  const startMachine = machine();
  const compare = args.compare ? prepareCompareTree(projectRoot, args.compare, log) : undefined;
  if (compare) {
    // Each Vigil system also runs at the other revision, interleaved in the same rounds.
    args.systems = args.systems.flatMap((x) => (x.startsWith('vigil') ? [x, `${x}@${compare.short}` as SystemName] : [x]));
  }
  const topology = args.topology;
  const external = process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL;
  if (external && topology === 'multi-region') throw new Error('--topology multi-region starts (or reuses) the local multi-region clusters; unset KAFKA_BROKERS and SCHEMA_REGISTRY_URL');
  const clusterLog = createLogger('bench-latency', process.env.LOG_LEVEL ?? 'warn');
  const cluster = external ? undefined : await up({ topology, log: clusterLog, ownerPid: process.pid });
  const brokers = (process.env.KAFKA_BROKERS && external ? process.env.KAFKA_BROKERS : (cluster?.primary ?? '')).split(',');
  const registryUrl = (external ? process.env.SCHEMA_REGISTRY_URL : cluster?.registryUrl) as string;
  let region: Env['region'];
  if (topology === 'multi-region' && cluster) {
    // MM2 also mirrors the sessions' topics (refreshed every 5 s); the shipped configuration comes back at the end.
    await restartMirrorMaker({ topology, log: clusterLog, ownerPid: process.pid, extraTopics: [`${MIRRORED_PREFIX}.*`] });
    const regional = (cluster.brokers[REGION] as string).split(',');
    region = { name: REGION, brokers: regional, admin: await connectAdmin({ brokers: regional }) };
  }
  const stopCluster = async () => {
    await region?.admin.close();
    if (cluster?.started) await down({ topology, log: clusterLog });
    else if (region) await restartMirrorMaker({ topology, log: clusterLog });
  };
  if (args.systems.some((x) => x.startsWith('kstreams'))) buildKafkaStreamsReference();
  const tmp = mkdtempSync(join(os.tmpdir(), 'vigil-latency-'));
  const logDir = join(projectRoot, 'bench', 'results', 'tmp', `${started.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(logDir, { recursive: true });
  const admin = await connectAdmin({ brokers });
  const watcher = new ProcessWatcher();
  watcher.watch('harness', process.pid);
  const described = describeTopology(topology);
  for (const file of processNames(described)) {
    // The report's `broker` column is the broker the systems use.
    const name = file === `broker-${described.primary}` ? 'broker' : file;
    // The cluster's run directory (one per VIGIL_PORT_OFFSET); run with the offset the cluster was started with.
    const path = join(runDir(topology), `${file}.pid`);
    const pid = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid : undefined;
    if (pid && sampleProcess(pid)) watcher.watch(name, pid);
  }
  const env: Env = {
    brokers,
    region,
    registryUrl,
    admin,
    workload: await loadWorkload(),
    schema: readFileSync(VIGIL_PROTO_PATH, 'utf8'),
    watcher,
    tmp,
    logDir,
    args,
    modelFile: writeLogisticModelFile(tmp, logisticMetadata(0)),
    compare,
  };
  log(
    `latency harness at ${source.short}${source.dirty ? ' (dirty)' : ''}${region ? `, appending on ${region.name}, systems on central through MirrorMaker 2` : ''}: ${args.systems.join(', ')}; ${args.rounds} round(s); warm-up ${args.warmup} + backlog ${args.backlog}; ` +
      `${args.rates ? `rates ${args.rates.join(', ')}` : `rate search from ${args.startRate} to ≤ ${args.maxRate}/s within ${args.resolution}×`}, ${args.stepSeconds} s steps; ` +
      `load ${loadAtStart.loadAverage.join(' / ')}, steal ${loadAtStart.stealPercent ?? '?'} %; logs in ${logDir}`,
  );
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
    await stopCluster();
  }
  const loadAtEnd = await sampleLoad();
  const noisy = verdict.noisy || noisyAtEnd(loadAtEnd);
  const result: RunResult = {
    name: args.name,
    date: started.toISOString(),
    finished: new Date().toISOString(),
    noisy,
    machine: { ...startMachine, loadAverageAtStart: loadAtStart.loadAverage, loadAverageAtEnd: loadAtEnd.loadAverage, loadAtStart, loadAtEnd },
    provenance: source,
    versions: versions(`${source.short}${source.dirty ? '-dirty' : ''}`),
    compare: compare ? { rev: compare.rev, commit: compare.commit } : null,
    args,
    budgetMs: BUDGET_MS,
    partitions: PARTITIONS,
    topology: region
      ? `multi-region: transactions appended on ${region.name}, mirrored to central by MirrorMaker 2 (the shipped configuration plus the session topics); every latency is regional append → central`
      : 'single',
    fixture: `test/fixtures/small (${env.workload.base.length} transactions, ${env.workload.profiles.length} profiles), replayed in rounds`,
    backlogIdentical: new Set(runs.map((r) => r.backlog.sha256)).size === 1,
    runs,
  };
  // A noisy run's files are marked in their name and kept out of the results directory unless --out says otherwise.
  const out = noisy && !argv.includes('--out') ? join(projectRoot, 'bench', 'results', 'tmp') : args.out;
  const files = writeReport(result, out);
  log(`${noisy ? 'NOISY run: ' : ''}results: ${files.join(', ')}`);
}

export type { LatencySummary, ProcUsage };

await main();
process.exit(process.exitCode ?? 0);
