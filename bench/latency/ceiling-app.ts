/**
 * The ceiling: a plain consumer of the transactions topic through the
 * engine's kafkajs facade (src/streams/kafka, the one module allowed
 * to import kafkajs, so bench/ needs no lint exception). It decodes every
 * record with the registry serde and discards it. For the latency steps it
 * records append → receipt (the broker's LogAppendTime against this
 * machine's clock: same host, same clock) and answers `{ snapshot: true }`
 * IPC messages with its histogram since the last snapshot; for the backlog
 * phase it reports when it has seen `expect` records, and notes the time it
 * has seen each of `marks` records (answered to `{ marks: true }`).
 */
import { readFileSync } from 'node:fs';
import type { Transaction } from '../../src/fraud/schema/types.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/vigil-schema.js';
import { registrySerde } from '../../src/registry/registry-serde.js';
import { connectConsumer } from '../../src/streams/kafka/index.js';
import { Histogram } from './histogram.js';
import { READY_LINE, type SutConfig } from './systems.js';

const config = JSON.parse(process.argv[2] as string) as SutConfig;
const serde = registrySerde<Transaction>({
  url: config.registryUrl,
  topics: [config.topics.transactions],
  schema: readFileSync(VIGIL_PROTO_PATH, 'utf8'),
  messageName: 'vigil.v1.Transaction',
});
await serde.prepare();
const consumer = await connectConsumer({ brokers: config.brokers }, { groupId: config.applicationId, maxWaitTimeMs: 50, maxBytesPerPartition: 4 << 20 });
await consumer.subscribe({ topics: [config.topics.transactions], fromBeginning: true });
let latency = new Histogram();
let seen = 0;
let expect = config.expect ?? Number.POSITIVE_INFINITY;
let firstAt = 0;
const marksAt: Record<string, number> = {};
process.on('message', (m: { snapshot?: boolean; expect?: number; marks?: boolean }) => {
  if (m.marks) process.send?.({ marksAt });
  if (m.snapshot) {
    process.send?.({ histogram: latency.toJSON(), seen });
    latency = new Histogram();
  }
  if (m.expect !== undefined) expect = m.expect;
});
let sink = 0;
await consumer.run({
  onGroupJoin: () => process.stdout.write(`${READY_LINE}\n`),
  eachBatch: async (batch) => {
    const now = Date.now();
    if (firstAt === 0) firstAt = performance.now();
    for (const r of batch.records) {
      if (r.value) sink += serde.deserialize(config.topics.transactions, r.value)?.amount_minor ?? 0;
      latency.record((now - r.timestamp) * 1000);
    }
    seen += batch.records.length;
    for (const [name, count] of Object.entries(config.marks ?? {})) if (seen >= count && marksAt[name] === undefined) marksAt[name] = Date.now();
    if (seen >= expect) {
      process.send?.({ done: true, seen, seconds: (performance.now() - firstAt) / 1000, sink });
      expect = Number.POSITIVE_INFINITY;
    }
  },
});
process.on('SIGTERM', () => void consumer.close().then(() => process.exit(0)));
