/**
 * The system under test: Vigil's fraud topology (buildFraudTopology, LevelDB
 * stores, micro-batched scoring with the default 64 rows / 20 ms, occlusion
 * reasons) on KafkaStreams, with the fixed-weights logistic scorer in place
 * of ONNX. Started by bench/latency/main.ts in its own process so its CPU and
 * RSS are its own; prints READY_LINE when RUNNING, stops on SIGTERM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/vigil-schema.js';
import { buildFraudTopology } from '../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../src/fraud/topology/streams-config.js';
import { registrySerde } from '../../src/registry/registry-serde.js';
import { noopMetrics } from '../../src/streams/metrics.js';
import { KafkaStreams } from '../../src/streams/runtime/index.js';
import { Histogram, summarize } from './histogram.js';
import { LogisticScorer, logisticMetadata } from './logistic.js';
import { READY_LINE, type SutConfig } from './systems.js';

const config = JSON.parse(process.argv[2] as string) as SutConfig;
const schema = readFileSync(VIGIL_PROTO_PATH, 'utf8');
const serde = <T>(topic: string, messageName: string) => registrySerde<T>({ url: config.registryUrl, topics: [topic], schema, messageName });
const serdes = {
  transaction: serde<Transaction>(config.topics.transactions, 'vigil.v1.Transaction'),
  profile: serde<UserProfile>(config.topics.userProfiles, 'vigil.v1.UserProfile'),
  alert: serde<Alert>(config.topics.alerts, 'vigil.v1.Alert'),
};
for (const s of Object.values(serdes)) await s.prepare();

// Commit durations (stores flushed, output and offsets written: the output waits for them), for the harness's report.
const commits = new Histogram();
let committedRecords = 0;
const metrics = {
  ...noopMetrics,
  commitLatency: (ms: number, records: number) => {
    commits.record(ms * 1000);
    committedRecords += records;
  },
};

const streams = new KafkaStreams(
  buildFraudTopology({ serdes, topics: config.topics, scoring: { scorer: new LogisticScorer(logisticMetadata(0)) } }),
  {
    ...fraudStreamsConfig({
      applicationId: config.applicationId,
      stateDir: config.stateDir,
      deadLetterTopic: config.topics.deadLetter,
      commitIntervalMs: config.commitIntervalMs,
      metrics,
    }),
    brokers: config.brokers,
    processingGuarantee: config.guarantee,
  },
);
let announced = false;
streams.onStateChange((next) => {
  if (next === 'RUNNING' && !announced) {
    announced = true;
    process.stdout.write(`${READY_LINE}\n`);
  }
  if (next === 'ERROR') {
    process.stderr.write('vigil-app: streams entered ERROR\n');
    process.exit(1);
  }
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await streams.close();
  for (const s of Object.values(serdes)) s.close();
  if (config.statsFile) writeFileSync(config.statsFile, JSON.stringify({ commitMs: summarize(commits), commits: commits.total, committedRecords }));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
await streams.start();
