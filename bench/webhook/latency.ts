/**
 * Webhook delivery latency: alert append → receiver 2xx, at a steady rate.
 *
 *   npx tsx bench/webhook/latency.ts [--rate 200] [--seconds 20] [--rounds 3]
 *
 * Runs two scenarios in one go on the same broker: a healthy endpoint alone
 * (the baseline), then the same healthy endpoint beside a dead one (a black
 * hole that never answers). The two alternate for several rounds, so drift
 * in the machine's load hits both alike; the summary takes medians. Uses KAFKA_BROKERS, else the local single-broker
 * cluster (started if needed, and stopped again if this run started it).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { down, up } from '../../src/cluster/cluster.js';
import { createLogger } from '../../src/log.js';
import { connectAdmin, connectProducer } from '../../src/streams/kafka/index.js';
import { dispatcherConfig, type EndpointInput } from '../../src/webhook/config.js';
import { WebhookDispatcher } from '../../src/webhook/dispatcher.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { framedAlert, sampleAlert } from '../../test/webhook/alert-fixture.js';
import { deadReceiver, healthyReceiver } from './receivers.js';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' } },
});
const ROUNDS = Number(values.rounds);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_S = Number(values.warmup);
const TICK_MS = 10;

const log = createLogger('bench-webhook', process.env.LOG_LEVEL ?? 'error');
const secret = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 1)));

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
}

interface Result {
  scenario: string;
  delivered: number;
  produced: number;
  p50: number;
  p99: number;
  max: number;
  /** The bench process's event-loop delay p99 (ms) and CPU use (% of one core) during the run. */
  loopP99: number;
  cpuPercent: number;
  deadBacklog?: number;
}

async function scenario(name: string, brokers: string[], withDead: boolean): Promise<Result> {
  const healthy = await healthyReceiver([secret]);
  const dead = withDead ? await deadReceiver() : undefined;
  const topic = `bench-alerts-${Date.now()}`;
  const admin = await connectAdmin({ brokers });
  await admin.createTopics([{ topic, partitions: 3 }]);
  await admin.close();
  const endpoints: EndpointInput[] = [{ name: 'healthy', url: healthy.url, secrets: [secret] }];
  if (dead) endpoints.push({ name: 'dead', url: dead.url, secrets: [secret] });
  const dispatcher = await WebhookDispatcher.start(
    dispatcherConfig({ brokers, alertsTopic: topic, groupId: `${topic}-dispatcher`, dlqTopic: `${topic}.dlq`, stateTopic: `${topic}.state`, endpoints }),
    { log },
  );
  const producer = await connectProducer({ brokers, clientId: 'bench-producer' });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  // Steady rate: every tick sends what the schedule owes by now (ticks drift on a busy machine), each record stamped when sent.
  let produced = 0;
  const sends: Array<Promise<unknown>> = [];
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - started >= SECONDS * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const owed = Math.floor(((Date.now() - started) * RATE) / 1000) - produced;
      const batch = [];
      for (let i = 0; i < owed; i++) {
        const n = produced++;
        batch.push({ topic, partition: n % 3, key: `card-${n % 97}`, value: framedAlert(sampleAlert(n, { source: { topic: `${topic}.tx`, partition: 0, offset: n } })), timestamp: Date.now() });
      }
      if (batch.length) sends.push(producer.send(batch));
    }, TICK_MS);
  });
  await Promise.all(sends);
  const deadline = Date.now() + 30_000;
  while (healthy.latencies.length < produced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const warm = healthy.latencies.slice(Math.floor(RATE * WARMUP_S));
  const sorted = [...warm].sort((a, b) => a - b);
  const deadBacklog = dispatcher.stats().lanes.find((l) => l.endpoint === 'dead')?.backlog;
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (Date.now() - started)) * 100);
  const loopP99 = Math.round(loop.percentile(99) / 1e6);
  await producer.close();
  await dispatcher.stop();
  await healthy.close();
  await dead?.close();
  return { scenario: name, delivered: healthy.latencies.length, produced, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN, loopP99, cpuPercent, ...(deadBacklog !== undefined ? { deadBacklog } : {}) };
}

const cluster = process.env.KAFKA_BROKERS ? undefined : await up({ topology: 'single', log });
const brokers = (process.env.KAFKA_BROKERS ?? cluster?.primary ?? '').split(',');
try {
  const results: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    results.push(await scenario(`healthy endpoint alone (round ${round})`, brokers, false));
    results.push(await scenario(`healthy beside a dead endpoint (round ${round})`, brokers, true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const summary = (dead: boolean) => {
    const rs = results.filter((r) => (r.deadBacklog !== undefined) === dead);
    return `| **median of ${rs.length}: ${dead ? 'beside a dead endpoint' : 'alone'}** | | **${median(rs.map((r) => r.p50))} ms** | **${median(rs.map((r) => r.p99))} ms** | **${median(rs.map((r) => r.max))} ms** | | ${median(rs.map((r) => r.loopP99))} ms | ${median(rs.map((r) => r.cpuPercent))} % |`;
  };
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
      `${RATE} alerts/s for ${SECONDS} s, first ${WARMUP_S} s excluded; latency = alert record timestamp → healthy receiver's 2xx; ` +
      `load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' / ')}\n\n` +
      '| scenario | delivered to healthy | p50 | p99 | max | dead endpoint backlog at end | event-loop delay p99 | bench CPU |\n|---|---|---|---|---|---|---|---|\n' +
      results.map((r) => `| ${r.scenario} | ${r.delivered}/${r.produced} | ${r.p50} ms | ${r.p99} ms | ${r.max} ms | ${r.deadBacklog ?? '–'} | ${r.loopP99} ms | ${r.cpuPercent} % |`).join('\n') +
      `\n${summary(false)}\n${summary(true)}\n`,
  );
} finally {
  if (cluster?.started) await down({ topology: 'single', log });
}
