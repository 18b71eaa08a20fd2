/**
 * The system under test: Vigil's fraud topology (buildFraudTopology, LevelDB
 * stores, micro-batched scoring with the default 64 rows / 20 ms, occlusion
 * reasons) on KafkaStreams, with the fixed-weights logistic scorer in place
 * of ONNX. Started by bench/latency/main.ts in its own process so its CPU and
 * RSS are its own; prints READY_LINE when RUNNING, stops on SIGTERM.
 *
 * With `srcRoot` (issue 12's --compare) the engine, topology and serdes come
 * from that checkout's src/ (another revision in a git worktree, with its
 * own node_modules) while this harness side (scorer, stats) stays the same.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import type * as SchemaModule from '../../src/fraud/schema/vigil-schema.js';
import type * as TopologyModule from '../../src/fraud/topology/fraud-topology.js';
import type * as ConfigModule from '../../src/fraud/topology/streams-config.js';
import type * as SerdeModule from '../../src/registry/registry-serde.js';
import type * as MetricsModule from '../../src/streams/metrics.js';
import type * as RuntimeModule from '../../src/streams/runtime/index.js';
import { Histogram, summarize } from './histogram.js';
import { LogisticScorer, logisticMetadata } from './logistic.js';
import { READY_LINE, type SutConfig } from './systems.js';

const config = JSON.parse(process.argv[2] as string) as SutConfig;
const root = config.srcRoot ?? fileURLToPath(new URL('../../', import.meta.url));
// In the child's log: which tree this instance ran.
process.stderr.write(`vigil-app: src from ${root}\n`);
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'src', path)).href) as Promise<T>;
const { VIGIL_PROTO_PATH } = await load<typeof SchemaModule>('fraud/schema/vigil-schema.ts');
const { buildFraudTopology } = await load<typeof TopologyModule>('fraud/topology/fraud-topology.ts');
const { fraudStreamsConfig } = await load<typeof ConfigModule>('fraud/topology/streams-config.ts');
const { registrySerde } = await load<typeof SerdeModule>('registry/registry-serde.ts');
const { noopMetrics } = await load<typeof MetricsModule>('streams/metrics.ts');
const { KafkaStreams } = await load<typeof RuntimeModule>('streams/runtime/index.ts');
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
  buildFraudTopology({ serdes, topics: config.topics, ...(config.dedupe === false ? { dedupe: false } : {}), scoring: { scorer: new LogisticScorer(logisticMetadata(0)) } }),
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
