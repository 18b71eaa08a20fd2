import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import { CHANNELS, type Alert, type Transaction } from '../../../src/fraud/schema/index.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { DEFAULT_VALIDATION_LIMITS, validateTransaction } from '../../../src/fraud/topology/validation.js';
import type { RegistrySerde } from '../../../src/registry/registry-serde.js';
import { connectAdmin, connectProducer, type ConsumedRecord, type ProducedRecord } from '../../../src/streams/kafka/index.js';
import type { KafkaStreamsState } from '../../../src/streams/runtime/index.js';
import { uniqueName } from '../helpers.js';
import { fraudSerdes, freshFraudTopics, preparedSerde } from '../fraud-helpers.js';
import { brokers, readToEnd, startStreams, tempStateDir, waitUntil } from '../streams/helpers.js';

/**
 * Property-based fuzzing of the fraud engine on the real broker and registry.
 *
 * fast-check generates one seeded corpus of records (good transactions
 * interleaved with random bytes, truncated and bit-flipped Protobuf, wrong
 * magic bytes, unknown schema ids, oversized records, tombstones and absurd
 * field values), which is produced to the transactions topic while the
 * fraud topology runs exactly-once with an alert threshold of 0, so every
 * transaction that is scored raises an alert. Then, for every input:
 *
 * - what the engine's own decoder and validator say about it decides
 *   where it must end: the dead-letter topic (with a code, a message and,
 *   for rejected transactions, a reason) or the alerts topic;
 * - every input lands exactly once, so nothing is lost and nothing stalls;
 * - the engine is still RUNNING, reported no error and committed to the end.
 *
 * A failure prints the seed; VIGIL_FUZZ_SEED=<seed> reproduces the corpus.
 */
const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));
const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? Date.now() % 2 ** 31);
const BAD = Number(process.env.VIGIL_FUZZ_BAD ?? 1_500);
const GOOD = Number(process.env.VIGIL_FUZZ_GOOD ?? 500);

type Kind = 'good' | 'random-bytes' | 'truncated' | 'bit-flipped' | 'wrong-magic' | 'unknown-schema-id' | 'oversized' | 'tombstone' | 'absurd-values';
interface Input {
  kind: Kind;
  key: string | null;
  value: Buffer | null;
}

const NOW = Date.now();
let serial = 0;
const cardIds = fc.integer({ min: 0, max: 40 }).map((n) => `card-${n}`);
const goodTransaction: fc.Arbitrary<Transaction> = fc.record({
  card: cardIds,
  amount: fc.integer({ min: 0, max: 500_000 }),
  mcc: fc.constantFrom(5411, 5732, 5812, 5999, 6011, 7995),
  lat: fc.double({ min: 25, max: 49, noNaN: true }),
  lon: fc.double({ min: -124, max: -67, noNaN: true }),
  channel: fc.constantFrom(...CHANNELS.filter((c) => c !== 'CHANNEL_UNSPECIFIED')),
  ageMs: fc.integer({ min: 0, max: 3_000_000 }),
}).map((g) => ({
  transaction_id: `fz-${SEED}-${serial++}`,
  card_id: g.card,
  user_id: `u-${g.card}`,
  amount_minor: g.amount,
  currency: 'USD',
  merchant_id: `m-${g.mcc}`,
  mcc: g.mcc,
  latitude: g.lat,
  longitude: g.lon,
  device_id: `d-${g.card}`,
  channel: g.channel,
  region: 'us-east',
  event_time_ms: NOW - g.ageMs,
}));

/** Field values no terminal should send; each is valid Protobuf. */
const absurdTransaction: fc.Arbitrary<Transaction> = fc
  .record({
    base: goodTransaction,
    amount: fc.oneof(fc.constantFrom(-1, -1e15, 10_000_001, 2 ** 53 - 1, Number.MAX_SAFE_INTEGER, -(2 ** 53)), fc.integer()),
    time: fc.oneof(fc.constantFrom(0, -1, 1, NOW + 86_400_000 * 365 * 100, NOW + 3_600_000 + 600_000, 2 ** 53 - 1), fc.integer()),
    card: fc.oneof(fc.constantFrom('', ' ', '\t\n', '\u0000', '💳'.repeat(500), 'x'.repeat(20_000)), fc.string({ maxLength: 50 }), fc.string({ unit: 'grapheme', maxLength: 30 })),
    latitude: fc.oneof(fc.constantFrom(1e308, -1e308, 91, -91, 0), fc.double({ noNaN: true, noDefaultInfinity: true })),
    mcc: fc.oneof(fc.constantFrom(-1, 0, 2 ** 31 - 1, -(2 ** 31))),
    field: fc.constantFrom('amount', 'time', 'card', 'latitude', 'mcc', 'all'),
  })
  .map(({ base, amount, time, card, latitude, mcc, field }) => ({
    ...base,
    ...(field === 'amount' || field === 'all' ? { amount_minor: amount } : {}),
    ...(field === 'time' || field === 'all' ? { event_time_ms: time } : {}),
    ...(field === 'card' || field === 'all' ? { card_id: card } : {}),
    ...(field === 'latitude' || field === 'all' ? { latitude } : {}),
    ...(field === 'mcc' || field === 'all' ? { mcc } : {}),
  }));

function corpus(serde: RegistrySerde<Transaction>, topic: string): Input[] {
  const encode = (tx: Transaction) => serde.serialize(topic, tx) as Buffer;
  const header = encode(fc.sample(goodTransaction, { numRuns: 1, seed: SEED })[0]!).subarray(0, 5);
  const framed = goodTransaction.map(encode);
  const key = fc.option(fc.oneof(cardIds, fc.string({ maxLength: 40 })), { freq: 5 });
  const bad: fc.Arbitrary<Input> = fc.oneof(
    fc.record({ kind: fc.constant<Kind>('random-bytes'), key, value: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)).filter((b) => !b.subarray(0, 5).equals(header)) }),
    fc.record({ kind: fc.constant<Kind>('truncated'), key, value: fc.tuple(framed, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map(([b, f]) => b.subarray(0, Math.floor(f * b.length))) }),
    fc.record({
      kind: fc.constant<Kind>('bit-flipped'),
      key,
      value: fc.tuple(framed, fc.array(fc.nat(), { minLength: 1, maxLength: 4 })).map(([b, flips]) => {
        const copy = Buffer.from(b);
        for (const f of flips) copy[(f >> 3) % copy.length]! ^= 1 << (f & 7);
        return copy;
      }),
    }),
    fc.record({ kind: fc.constant<Kind>('wrong-magic'), key, value: fc.tuple(framed, fc.integer({ min: 1, max: 255 })).map(([b, m]) => Buffer.concat([Buffer.from([m]), b.subarray(1)])) }),
    fc.record({
      kind: fc.constant<Kind>('unknown-schema-id'),
      key,
      value: fc.tuple(framed, fc.integer({ min: 1_000_000, max: 2 ** 31 - 1 })).map(([b, id]) => {
        const copy = Buffer.from(b);
        copy.writeUInt32BE(id, 1);
        return copy;
      }),
    }),
    fc.record({ kind: fc.constant<Kind>('tombstone'), key, value: fc.constant(null) }),
    fc.record({ kind: fc.constant<Kind>('absurd-values'), key, value: absurdTransaction.map(encode) }),
  );
  const goods = fc.sample(goodTransaction.map((tx): Input => ({ kind: 'good', key: tx.card_id, value: encode(tx) })), { numRuns: GOOD, seed: SEED });
  const bads = fc.sample(bad, { numRuns: BAD, seed: SEED + 1 });
  // Oversized: a valid frame around ~700 KB of garbage, and ~900 KB of random bytes (the broker's limit is 1 MB).
  let state = SEED + 2;
  const garbage = (n: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) >>> 24;
    return b;
  };
  bads.push({ kind: 'oversized', key: 'card-1', value: Buffer.concat([header, Buffer.from([0]), garbage(700_000)]) });
  bads.push({ kind: 'oversized', key: null, value: garbage(900_000) });
  // Interleave deterministically: a good record every few bad ones.
  const order = fc.sample(fc.boolean(), { numRuns: goods.length + bads.length, seed: SEED + 3 });
  const out: Input[] = [];
  for (const takeGood of order) {
    const next = (takeGood && goods.length) || !bads.length ? goods.shift() : bads.shift();
    if (next) out.push(next);
  }
  return out;
}

describe('fuzzing the transactions topic with the fraud engine running', () => {
  it('dead-letters every bad record with its reason, scores every good one, and never crashes or stalls', async () => {
    const topics = await freshFraudTopics();
    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    const serdes = await fraudSerdes(topics);
    const oracle = await preparedSerde<Transaction>([topics.transactions], 'vigil.v1.Transaction');
    const inputs = corpus(oracle, topics.transactions);

    const duplicates = new Set<number>();
    const topology = buildFraudTopology({
      serdes,
      topics,
      storeType: 'leveldb',
      dedupe: { onDuplicate: (d) => d.source && duplicates.add(d.source.offset) },
      // Threshold 0: every scored transaction raises an alert, so "scored" is observable.
      scoring: { scorer, threshold: 0, batch: { maxBatchSize: 64, maxDelayMs: 20 } },
    });
    const applicationId = uniqueName('fuzz');
    const streams = await startStreams(topology, { ...fraudStreamsConfig({ applicationId, deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }), processingGuarantee: 'exactly_once' });
    const states: KafkaStreamsState[] = [];
    const errors: unknown[] = [];
    streams.onStateChange((next) => states.push(next));
    streams.onError((e) => errors.push(e));
    await streams.waitForState('RUNNING');

    // Produce in order, in batches under the broker's 1 MB request limit.
    const producer = await connectProducer({ brokers: brokers() }, { idempotent: true });
    let batch: ProducedRecord[] = [];
    let bytes = 0;
    for (const input of inputs) {
      const size = input.value?.length ?? 0;
      if (batch.length && (bytes + size > 256 * 1024 || batch.length >= 500)) {
        await producer.send(batch);
        batch = [];
        bytes = 0;
      }
      batch.push({ topic: topics.transactions, key: input.key, value: input.value });
      bytes += size;
    }
    if (batch.length) await producer.send(batch);
    await producer.close();

    // The oracle: the engine's own decoder and validator, applied to each input.
    const now = Date.now();
    const expected = inputs.map((input): 'dlq' | 'scored' => {
      let tx: Transaction | null;
      try {
        tx = input.value === null ? null : (oracle.deserialize(topics.transactions, input.value) as Transaction);
      } catch {
        return 'dlq';
      }
      return validateTransaction(tx, now, DEFAULT_VALIDATION_LIMITS) ? 'dlq' : 'scored';
    });
    const seenIds = new Map<string, number>();
    const expectDuplicate = new Set<number>();
    expected.forEach((e, offset) => {
      if (e !== 'scored') return;
      const tx = oracle.deserialize(topics.transactions, inputs[offset]!.value) as Transaction;
      if (tx.transaction_id === '') return;
      const id = `${tx.transaction_id}@${tx.event_time_ms}`;
      if (seenIds.has(id)) expectDuplicate.add(offset);
      else seenIds.set(id, offset);
    });
    const scoredCount = expected.filter((e, i) => e === 'scored' && !expectDuplicate.has(i)).length;
    const dlqCount = expected.filter((e) => e === 'dlq').length;

    let alerts: ConsumedRecord[] = [];
    let dead: ConsumedRecord[] = [];
    await waitUntil(
      async () => {
        [alerts, dead] = await Promise.all([readToEnd(topics.alerts), readToEnd(topics.deadLetter)]);
        return (alerts.length >= scoredCount && dead.length >= dlqCount) || errors.length > 0;
      },
      150_000,
      `${scoredCount} alerts and ${dlqCount} dead letters (seed ${SEED})`,
    );
    const admin = await connectAdmin({ brokers: brokers() });
    let committed = '';
    const commitDeadline = Date.now() + 30_000;
    while (Date.now() < commitDeadline && errors.length === 0) {
      committed = (await admin.committedOffsets(applicationId, topics.transactions))[0]?.offset ?? '';
      if (committed === String(inputs.length)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await admin.close();

    const kinds = new Map<Kind, number>();
    for (const i of inputs) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
    console.info(
      `fuzz seed ${SEED}: ${inputs.length} inputs (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ` +
        `expected ${scoredCount} scored, ${dlqCount} dead-lettered, ${expectDuplicate.size} duplicates; got ${alerts.length} alerts, ${dead.length} dead letters; committed ${committed}; state ${streams.state}` +
        (errors.length ? `; errors: ${errors.map((e) => `${(e as { code?: string }).code}: ${(e as Error).message}`).join(' | ').slice(0, 2000)}` : ''),
    );

    // Never crashed, never stalled.
    expect(errors, `seed ${SEED}`).toEqual([]);
    expect(states).not.toContain('ERROR');
    expect(streams.state).toBe('RUNNING');
    expect(committed).toBe(String(inputs.length));

    // Every input is in exactly one place, the one the oracle says.
    const alertOffsets = alerts.map((r) => Number((serdes.alert.deserialize(topics.alerts, r.value) as Alert).source?.offset));
    const deadOffsets = dead.map((r) => Number(r.headers['vigil.source.offset']?.toString()));
    expect(new Set(alertOffsets).size, 'no input scored twice').toBe(alertOffsets.length);
    expect(new Set(deadOffsets).size, 'no input dead-lettered twice').toBe(deadOffsets.length);
    const where = inputs.map((_, offset) => (alertOffsets.includes(offset) ? 'scored' : deadOffsets.includes(offset) ? 'dlq' : duplicates.has(offset) ? 'duplicate' : 'lost'));
    const mismatches = where
      .map((got, offset) => ({ offset, kind: inputs[offset]!.kind, got, want: expectDuplicate.has(offset) ? 'duplicate' : expected[offset] }))
      .filter((m) => m.got !== m.want);
    expect(mismatches.slice(0, 10), `seed ${SEED}`).toEqual([]);
    // Every good record was scored; every structurally bad one was dead-lettered.
    inputs.forEach((input, offset) => {
      if (input.kind === 'good') expect(where[offset], `good input at ${offset}`).toBe('scored');
      if (['random-bytes', 'wrong-magic', 'unknown-schema-id', 'tombstone', 'oversized'].includes(input.kind)) expect(where[offset], `${input.kind} at ${offset}`).toBe('dlq');
    });
    // Every dead letter says why: a code and a message, and a reason when validation rejected it.
    for (const letter of dead) {
      const code = letter.headers['vigil.error.code']?.toString();
      expect(['VIGIL_ERR_DESERIALIZATION', 'VIGIL_ERR_INVALID_TRANSACTION']).toContain(code);
      expect(letter.headers['vigil.error.message']?.toString().length ?? 0).toBeGreaterThan(0);
      if (code === 'VIGIL_ERR_INVALID_TRANSACTION') expect(letter.headers['vigil.dlq.reason']?.toString()).toMatch(/^[a-z-]+$/);
      expect(letter.headers['vigil.source.topic']?.toString()).toBe(topics.transactions);
    }
  }, 240_000);
});
