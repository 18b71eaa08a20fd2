import { afterEach, describe, expect, it } from 'vitest';
import { encodeWireFormat } from '../../../src/streams/index.js';
import type { Alert, Transaction } from '../../../src/fraud/schema/types.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { HOUR, LA, MIN, T0, profile, tx } from '../features/builders.js';
import { fraudHarness, header, ruleScorer, serdes } from './harness.js';

let harness: ReturnType<typeof fraudHarness> | undefined;
afterEach(async () => {
  await harness?.driver.close();
  harness = undefined;
});

async function pipeAll(h: ReturnType<typeof fraudHarness>, txs: Transaction[]): Promise<void> {
  for (const t of txs) await h.transactions.pipeInput(t.card_id, t, t.event_time_ms);
}

describe('fraud topology', () => {
  it('emits one feature vector per valid transaction, joined with the profile, in feature order', async () => {
    harness = fraudHarness({ emitFeatures: true });
    await harness.profiles.pipeInput('u-1', profile(), T0);
    await pipeAll(harness, [tx({ event_time_ms: T0 }), tx({ event_time_ms: T0 + 30_000, user_id: 'u-unknown' })]);
    const out = harness.features.readValuesToList();
    expect(out).toHaveLength(2);
    expect(Object.keys(out[0]?.features ?? {})).toEqual(FEATURE_NAMES);
    expect(out[0]?.features.profile_missing).toBe(0);
    expect(out[1]?.features.profile_missing).toBe(1);
    expect(out[1]?.features.count_1m).toBe(2);
  });

  it('raises an alert with the source coordinates, the model version and the strongest reason', async () => {
    const scorer = ruleScorer();
    harness = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 1 } } });
    await harness.profiles.pipeInput('u-1', profile(), T0);
    await pipeAll(harness, [tx({ event_time_ms: T0 }), tx({ event_time_ms: T0 + 20 * MIN, ...LA, region: 'us-west' })]);
    const alerts = harness.alerts.readValuesToList() as Alert[];
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert?.alert_id).toBe('transactions/0/1');
    expect(alert?.source).toEqual({ topic: 'transactions', partition: 0, offset: 1 });
    expect(alert?.model_version).toBe('fake-1');
    expect(alert?.score).toBeCloseTo(0.95, 6);
    expect(alert?.reasons.map((r) => r.feature)).toEqual(['geo_velocity_kmh']);
    // log-odds: logit(0.95) - logit(0.05) = 2 ln 19.
    expect(alert?.reasons[0]?.contribution).toBeCloseTo(2 * Math.log(19), 6);
    expect(alert?.reasons[0]?.description).toMatch(/^km\/h needed to get there from the last known position since it was seen: \d+\.\d\d$/);
  });

  it('scores each transaction before the commit that follows it (the driver commits after every record), so alerts never wait for the deadline', async () => {
    const scorer = ruleScorer();
    harness = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 4, maxDelayMs: 50 } } });
    await pipeAll(
      harness,
      Array.from({ length: 6 }, (_, i) => tx({ event_time_ms: T0 + i * MIN, merchant_id: `m-${i}` })),
    );
    // Payments 5 and 6 (count_1h 5 and 6) alert without the wall clock moving.
    const alerts = harness.alerts.readValuesToList() as Alert[];
    expect(alerts.map((a) => a.source?.offset)).toEqual([4, 5]);
    expect(alerts.every((a) => a.reasons[0]?.feature === 'count_1h')).toBe(true);
  });

  it('dead-letters malformed bytes and unknown schema ids with the engine headers, and keeps scoring', async () => {
    const scorer = ruleScorer();
    harness = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 1 } } });
    await harness.raw.pipeInput('c-1', Buffer.from([0x00, 0x01]), T0);
    const otherSchema = encodeWireFormat({ schemaId: 999, messageIndexes: [0], payload: serdes.transaction.serialize('x', tx()) ?? Buffer.alloc(0) });
    await harness.raw.pipeInput('c-1', otherSchema, T0);
    await pipeAll(harness, [tx({ event_time_ms: T0 }), tx({ event_time_ms: T0 + MIN, ...LA })]);
    const dead = harness.dlq.readRecordsToList();
    expect(dead.map((r) => header(r, 'vigil.error.code'))).toEqual(['VIGIL_ERR_DESERIALIZATION', 'VIGIL_ERR_DESERIALIZATION']);
    expect(dead.map((r) => header(r, 'vigil.source.offset'))).toEqual(['0', '1']);
    expect(header(dead[1] as never, 'vigil.error.message')).toMatch(/schema id 999/);
    expect((harness.alerts.readValuesToList() as Alert[]).map((a) => a.source?.offset)).toEqual([3]);
  });

  it.each([
    ['missing-card-id', { card_id: '' }],
    ['negative-amount', { amount_minor: -100 }],
    ['absurd-amount', { amount_minor: 1_000_000_000 }],
    ['future-event-time', { event_time_ms: T0 + 400 * 24 * HOUR }],
    ['invalid-location', { payer_location: { latitude: 123, longitude: 0, accuracy_m: 10 } }],
  ] as const)('dead-letters a transaction with %s and a reason header', async (reason, overrides) => {
    harness = fraudHarness({ emitFeatures: true });
    const bad = tx({ event_time_ms: T0, ...overrides });
    await harness.transactions.pipeInput('c-1', bad, T0);
    await harness.transactions.pipeInput('c-1', tx({ event_time_ms: T0 + MIN }), T0 + MIN);
    const [dead, ...more] = harness.dlq.readRecordsToList();
    expect(more).toHaveLength(0);
    expect(header(dead as never, 'vigil.dlq.reason')).toBe(reason);
    expect(header(dead as never, 'vigil.error.code')).toBe('VIGIL_ERR_INVALID_TRANSACTION');
    expect(header(dead as never, 'vigil.source.offset')).toBe('0');
    expect(serdes.transaction.deserialize('transactions.dlq', dead?.value as Buffer)).toEqual(bad);
    // The stream moved on: the next record was featurised, as the first of its card.
    expect(harness.features.readValuesToList().map((f) => f?.features.history_count)).toEqual([0]);
  });

  it('dead-letters a transaction with an oversized field, its copy cut to the limit and the cut fields named', async () => {
    harness = fraudHarness({ emitFeatures: true });
    const bad = tx({ event_time_ms: T0, merchant_id: 'm'.repeat(600_000), device_id: 'd'.repeat(300) });
    await harness.transactions.pipeInput('c-1', bad, T0);
    const [dead] = harness.dlq.readRecordsToList();
    expect(header(dead as never, 'vigil.dlq.reason')).toBe('oversized-field');
    expect(header(dead as never, 'vigil.dlq.truncated')).toBe('merchant_id,device_id');
    const copy = serdes.transaction.deserialize('transactions.dlq', dead?.value as Buffer) as Transaction;
    expect(copy).toEqual({ ...bad, merchant_id: 'm'.repeat(256), device_id: 'd'.repeat(256) });
    expect(harness.features.readValuesToList()).toHaveLength(0);
  });

  it('refuses a topology with no output', () => {
    expect(() => buildFraudTopology({ serdes })).toThrow(/scoring.*emitFeatures/);
  });
});
