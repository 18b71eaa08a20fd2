/**
 * What MirrorMaker 2 adds: regional append → mirrored record readable on
 * central, for each MM2 client configuration, on the local multi-region
 * topology (us-east, us-west → central).
 *
 *   npx tsx bench/mirror/latency.ts [--rate 50] [--seconds 20] [--warmup 3] [--rounds 2] [--variants shipped,defaults,fetch-wait-100,fetch-wait-500,linger-5,linger-20] [--e2e]
 *   npm run bench -- mirror …
 *
 * Method. One producer per region sends `--rate` records per second to its
 * `transactions` topic. That topic stamps records on append
 * (LogAppendTime), so a record's timestamp is its regional append time; MM2
 * copies the record, timestamp included, to `<region>.transactions` on
 * central (whose mirrored topic keeps CreateTime: MM2 does not sync
 * `message.timestamp.type`). A consumer on central, subscribed by the same
 * regex the engine uses, takes `receivedAt - timestamp` per record: MM2's
 * fetch, MM2's produce (+ linger) and central append, plus the bench
 * consumer's own fetch (fetch.max.wait.ms 10, fetch.min.bytes 1: it returns
 * as soon as the record is appended). So it is a slight upper bound of
 * regional append → mirrored append. Same machine, same clock.
 *
 * `--e2e` then runs the fraud topology (exactly-once, the committed model,
 * threshold 0 so that every transaction alerts: more work per record than
 * the real ~3 % alert rate) on central over the mirrored topics, sends
 * registry-framed transactions to both regions at `--rate`, and takes
 * `receivedAt - alert timestamp` on the alerts topic (read_committed). An
 * alert keeps its transaction's timestamp, so this is regional append →
 * alert readable on central.
 *
 * Each variant restarts MM2 with its settings (the cluster is started fresh
 * if needed, and then stopped and wiped; a running cluster is reused and
 * gets the shipped MM2 back, but keeps the bench's records in
 * `transactions`; VIGIL_PORT_OFFSET shifts the ports). Variants alternate for `--rounds` rounds, so load drift on the
 * machine hits each alike; the summary pools every round's samples.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { down, mirrorMakerArgs, status, up } from '../../src/cluster/cluster.js';
import { mirrorMakerProperties } from '../../src/cluster/config-files.js';
import { ensureArtifacts } from '../../src/cluster/fetch.js';
import { findJava } from '../../src/cluster/java.js';
import { startJvm, stopJvm } from '../../src/cluster/jvm-process.js';
import { runDir } from '../../src/cluster/paths.js';
import { describeTopology } from '../../src/cluster/topology.js';
import { MIRRORED_TRANSACTIONS } from '../../src/fraud/topology/topics.js';
import { createLogger } from '../../src/log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { projectRoot } from '../../src/cluster/paths.js';
import { OnnxScorer } from '../../src/fraud/model/onnx-scorer.js';
import type { Alert, Transaction } from '../../src/fraud/schema/types.js';
import { vigilSchema } from '../../src/fraud/schema/vigil-schema.js';
import { buildFraudTopology } from '../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../src/fraud/topology/streams-config.js';
import { registrySerde } from '../../src/registry/registry-serde.js';
import { KafkaStreams } from '../../src/streams/runtime/index.js';
import { connectAdmin, connectConsumer, connectProducer, type KafkaProducer } from '../../src/streams/kafka/index.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    variants: { type: 'string', default: 'shipped,defaults' },
    e2e: { type: 'boolean' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_S = Number(values.warmup);
const ROUNDS = Number(values.rounds);
const TICK_MS = 20;
const log = createLogger('bench-mirror', process.env.LOG_LEVEL ?? 'error');

/**
 * MM2 client settings per variant, as `<cluster>.<client>.<key>` lines that
 * replace the latency block of `mirrorMakerProperties`. `defaults` is Kafka
 * 4.1's own client defaults (consumer fetch.max.wait.ms 500, producer
 * linger.ms 5, batch.size 16384); `shipped` is `mirrorMakerProperties`
 * unchanged (src/cluster/config-files.ts).
 */
const VARIANTS: Record<string, Record<string, string | number> | 'shipped'> = {
  shipped: 'shipped',
  defaults: {},
  // One default at a time, to see which one costs.
  'fetch-wait-500': {
    'us-east.consumer.fetch.max.wait.ms': 500,
    'us-west.consumer.fetch.max.wait.ms': 500,
    'central.producer.linger.ms': 0,
  },
  'fetch-wait-100': {
    'us-east.consumer.fetch.max.wait.ms': 100,
    'us-west.consumer.fetch.max.wait.ms': 100,
    'central.producer.linger.ms': 0,
  },
  'linger-5': {
    'us-east.consumer.fetch.max.wait.ms': 10,
    'us-west.consumer.fetch.max.wait.ms': 10,
    'central.producer.linger.ms': 5,
  },
  'linger-20': {
    'us-east.consumer.fetch.max.wait.ms': 10,
    'us-west.consumer.fetch.max.wait.ms': 10,
    'central.producer.linger.ms': 20,
    'central.producer.batch.size': 65536,
  },
};
const CLIENT_KEY = /^(us-east|us-west|central)\.(consumer|producer)\./;

function propertiesFor(variant: string): string {
  const topology = describeTopology('multi-region');
  const settings = VARIANTS[variant];
  if (settings === 'shipped' || settings === undefined) return mirrorMakerProperties(topology);
  const base = mirrorMakerProperties(topology)
    .split('\n')
    .filter((line) => !CLIENT_KEY.test(line));
  const extra = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return [...base, ...extra].join('\n') + '\n';
}

async function restartMirrorMaker(variant: string): Promise<void> {
  const dir = runDir('multi-region');
  await stopJvm(dir, 'mirror-maker');
  const props = join(dir, `mm2-bench-${variant}.properties`);
  writeFileSync(props, propertiesFor(variant));
  const artifacts = await ensureArtifacts(log);
  const java = findJava(17, 'MirrorMaker 2');
  startJvm({
    name: 'mirror-maker',
    command: java.bin,
    args: mirrorMakerArgs(dir, artifacts.kafkaLib, props, ['central']),
    runDir: dir,
    ownerPid: process.pid,
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
}

interface Sample {
  region: string;
  latencyMs: number;
}

/** One measured run of `variant`: warm-up, then `SECONDS` of paced sends from both regions. */
async function measure(variant: string, brokers: Record<string, string>): Promise<{ samples: Sample[]; acks: number[]; sent: number; lost: number }> {
  await restartMirrorMaker(variant);
  const runId = `${variant}-${Date.now()}`;
  const pending = new Map<string, { measured: boolean; region: string }>();
  const samples: Sample[] = [];
  let firstSeen: (() => void) | undefined;
  const consumer = await connectConsumer({ brokers: [brokers.central as string], clientId: 'bench-mirror' }, { groupId: `bench-mirror-${runId}`, maxWaitTimeMs: 10 });
  let joined: () => void = () => {};
  const hasJoined = new Promise<void>((resolve) => (joined = resolve));
  await consumer.subscribe({ topics: [MIRRORED_TRANSACTIONS], fromBeginning: false });
  await consumer.run({
    onGroupJoin: () => joined(),
    eachBatch: async ({ records }) => {
      const now = Date.now();
      for (const r of records) {
        const key = r.key?.toString() ?? '';
        const p = pending.get(key);
        if (!p) continue;
        pending.delete(key);
        firstSeen?.();
        if (p.measured) samples.push({ region: p.region, latencyMs: now - r.timestamp });
      }
    },
  });
  await hasJoined;
  const producers = new Map<string, KafkaProducer>();
  for (const region of ['us-east', 'us-west']) {
    producers.set(region, await connectProducer({ brokers: [brokers[region] as string], clientId: `bench-mirror-${region}` }, { idempotent: true }));
  }
  const acks: number[] = [];
  let n = 0;
  const send = async (region: string, measured: boolean) => {
    const key = `bench-${runId}-${n++}`;
    const sent = Date.now();
    pending.set(key, { measured, region });
    await producers.get(region)!.send([{ topic: 'transactions', key, value: JSON.stringify({ sent }) }]);
    if (measured) acks.push(Date.now() - sent);
  };
  // MM2 needs a while after a restart before it copies anything: wait for the first mirrored probe.
  const ready = new Promise<void>((resolve) => (firstSeen = resolve));
  const probeStarted = Date.now();
  const probing = setInterval(() => void send('us-east', false).catch(() => {}), 500);
  await ready;
  clearInterval(probing);
  firstSeen = undefined;
  log.info({ variant, ms: Date.now() - probeStarted }, 'mirroring');
  let sent = 0;
  const perTick = (RATE * TICK_MS) / 1000;
  const total = WARMUP_S + SECONDS;
  const started = Date.now();
  let owed = 0;
  while (Date.now() - started < total * 1000) {
    const measured = Date.now() - started >= WARMUP_S * 1000;
    owed += perTick;
    const sends: Array<Promise<void>> = [];
    while (owed >= 1) {
      owed -= 1;
      for (const region of ['us-east', 'us-west']) {
        sends.push(send(region, measured));
        if (measured) sent++;
      }
    }
    await Promise.all(sends);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  // Let the last records arrive.
  const deadline = Date.now() + 15_000;
  while ([...pending.values()].some((p) => p.measured) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const lost = [...pending.values()].filter((p) => p.measured).length;
  await consumer.close();
  for (const p of producers.values()) await p.close();
  return { samples, acks, sent, lost };
}

/**
 * Regional append → alert readable on central, through MM2 (as shipped) and
 * the fraud topology on the mirrored topics. Every transaction alerts.
 */
async function measureEndToEnd(brokers: Record<string, string>, registryUrl: string): Promise<{ samples: number[]; sent: number; lost: number }> {
  const runId = `e2e-${Date.now()}`;
  const alertsTopic = `bench-alerts-${runId}`;
  const serde = <T>(topics: string[], messageName: string) => registrySerde<T>({ url: registryUrl, topics, schema: vigilSchema().text, messageName, refreshIntervalMs: 0 });
  const serdes = {
    transaction: serde<Transaction>(['transactions'], 'vigil.v1.Transaction'),
    profile: serde<never>(['user-profiles'], 'vigil.v1.UserProfile'),
    alert: serde<Alert>([alertsTopic], 'vigil.v1.Alert'),
  };
  for (const x of Object.values(serdes)) await x.prepare();
  const admin = await connectAdmin({ brokers: [brokers.central as string] });
  await admin.createTopics([{ topic: alertsTopic, partitions: 4 }]);
  await admin.close();
  const scorer = await OnnxScorer.load({ modelPath: join(projectRoot, 'models', 'fraud.onnx') });
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-mirror-'));
  const streams = new KafkaStreams(
    buildFraudTopology({ serdes, topics: { transactions: MIRRORED_TRANSACTIONS, alerts: alertsTopic }, scoring: { scorer, threshold: 0 } }),
    { ...fraudStreamsConfig({ applicationId: `bench-mirror-${runId}`, stateDir }), brokers: [brokers.central as string], processingGuarantee: 'exactly_once' },
  );
  const samples: number[] = [];
  const pending = new Map<string, boolean>(); // transaction id → measured
  const consumer = await connectConsumer({ brokers: [brokers.central as string], clientId: 'bench-mirror-alerts' }, { groupId: `bench-alerts-${runId}`, maxWaitTimeMs: 10, isolation: 'read_committed' });
  const producers = new Map<string, KafkaProducer>();
  try {
    await streams.start();
    await streams.waitForState('RUNNING', 120_000);
    let joined: () => void = () => {};
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    await consumer.subscribe({ topics: [alertsTopic], fromBeginning: true });
    await consumer.run({
      onGroupJoin: () => joined(),
      eachBatch: async ({ records }) => {
        const now = Date.now();
        for (const r of records) {
          const id = serdes.alert.deserialize(alertsTopic, r.value)?.transaction?.transaction_id ?? '';
          const measured = pending.get(id);
          if (measured === undefined) continue;
          pending.delete(id);
          if (measured) samples.push(now - r.timestamp);
        }
      },
    });
    await hasJoined;
    for (const region of ['us-east', 'us-west']) {
      producers.set(region, await connectProducer({ brokers: [brokers[region] as string], clientId: `bench-e2e-${region}` }, { idempotent: true }));
    }
    const city = { 'us-east': { latitude: 40.7128, longitude: -74.006 }, 'us-west': { latitude: 34.0522, longitude: -118.2437 } } as const;
    let n = 0;
    let sent = 0;
    const send = async (region: 'us-east' | 'us-west', measured: boolean) => {
      const i = n++;
      const tx: Transaction = {
        transaction_id: `${runId}-${i}`,
        card_id: `bench-card-${i % 500}`,
        user_id: `bench-user-${i % 500}`,
        amount_minor: 1_000 + (i % 9_000),
        currency: 'USD',
        merchant_id: `m-${i % 50}`,
        mcc: 5411,
        ...city[region],
        device_id: '',
        channel: 'CHANNEL_CARD_PRESENT',
        region,
        event_time_ms: Date.now(),
      };
      pending.set(tx.transaction_id, measured);
      await producers.get(region)!.send([{ topic: 'transactions', key: tx.card_id, value: serdes.transaction.serialize('transactions', tx) }]);
      if (measured) sent++;
    };
    // MM2 (just restarted) and the engine's first commit take a while: wait until a probe comes back as an alert.
    const probeDeadline = Date.now() + 180_000;
    while (pending.size === n) {
      // Every probe sent is still pending: none has come back as an alert yet.
      if (Date.now() > probeDeadline) throw new Error('no alert within 180 s: is MirrorMaker 2 mirroring? see its log in the run directory');
      await send('us-east', false);
      await new Promise((r) => setTimeout(r, 500));
    }
    const perTick = (RATE * TICK_MS) / 1000;
    const started = Date.now();
    let owed = 0;
    while (Date.now() - started < (WARMUP_S + SECONDS) * 1000) {
      const measured = Date.now() - started >= WARMUP_S * 1000;
      owed += perTick;
      const sends: Array<Promise<void>> = [];
      while (owed >= 1) {
        owed -= 1;
        sends.push(send('us-east', measured), send('us-west', measured));
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    const deadline = Date.now() + 30_000;
    while ([...pending.values()].some((m) => m) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return { samples, sent, lost: [...pending.values()].filter((m) => m).length };
  } finally {
    await consumer.close().catch(() => {});
    for (const p of producers.values()) await p.close().catch(() => {});
    await streams.close();
    await scorer.close();
    for (const x of Object.values(serdes)) x.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const topology = describeTopology('multi-region');
const started = !process.env.KAFKA_BROKERS;
if (!started) throw new Error('bench/mirror needs the local multi-region topology; unset KAFKA_BROKERS');
// A cluster this run starts is fresh, and wiped when done: the bench's records
// in `transactions` would otherwise sit in front of the next demo's replay.
const alreadyUp = status('multi-region').processes.every((p) => p.running);
const cluster = await up({ topology: 'multi-region', log, ownerPid: process.pid, fresh: !alreadyUp });
const variants = (values.variants as string).split(',').filter((v) => v in VARIANTS);
const pooled = new Map<string, { samples: Sample[]; acks: number[]; sent: number; lost: number }>(variants.map((v) => [v, { samples: [], acks: [], sent: 0, lost: 0 }]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const r = await measure(variant, cluster.brokers);
      const p = pooled.get(variant)!;
      p.samples.push(...r.samples);
      p.acks.push(...r.acks);
      p.sent += r.sent;
      p.lost += r.lost;
      const s = r.samples.map((x) => x.latencyMs).sort((a, b) => a - b);
      process.stderr.write(`round ${round + 1} ${variant}: n=${s.length} p50=${quantile(s, 0.5)} p99=${quantile(s, 0.99)} max=${s.at(-1)} lost=${r.lost}\n`);
    }
  }
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    `MirrorMaker 2 latency, ${date} UTC, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}; ${RATE} records/s per region for ${SECONDS} s (+${WARMUP_S} s warm-up) × ${ROUNDS} rounds; ports +${process.env.VIGIL_PORT_OFFSET ?? 0}`,
    '',
    '| MM2 settings | samples | lost | p50 ms | p90 ms | p99 ms | max ms | regional produce ack p50 / p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const [variant, p] of pooled) {
    const s = p.samples.map((x) => x.latencyMs).sort((a, b) => a - b);
    const a = [...p.acks].sort((x, y) => x - y);
    lines.push(
      `| ${variant} | ${s.length} | ${p.lost} | ${quantile(s, 0.5)} | ${quantile(s, 0.9)} | ${quantile(s, 0.99)} | ${s.at(-1)} | ${quantile(a, 0.5)} / ${quantile(a, 0.99)} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (values.e2e) {
    await restartMirrorMaker('shipped');
    const e = await measureEndToEnd(cluster.brokers, cluster.registryUrl);
    const s = [...e.samples].sort((a, b) => a - b);
    process.stdout.write(
      `\nregional append → alert readable on central (MM2 as shipped, exactly-once, every transaction alerts), ${RATE} tx/s per region, load average ${loadavg()[0]?.toFixed(1)}:\n` +
        `samples ${s.length}, lost ${e.lost}, p50 ${quantile(s, 0.5)} ms, p90 ${quantile(s, 0.9)} ms, p99 ${quantile(s, 0.99)} ms, max ${s.at(-1)} ms\n`,
    );
  }
} finally {
  // Put the shipped configuration back for whoever uses the cluster next.
  if (cluster.started) {
    await down({ topology: topology.name, log });
    rmSync(runDir('multi-region'), { recursive: true, force: true });
  }
  else await restartMirrorMaker('shipped');
}
