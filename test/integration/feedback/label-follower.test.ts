import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { replayChargebacks } from '../../../src/feedback/chargeback-replay.js';
import { StoredDecisionLog } from '../../../src/feedback/decision-log.js';
import { LabelFollower } from '../../../src/feedback/label-follower.js';
import { ALERT_FEEDBACK_MESSAGE, feedbackSchemaText, type AlertFeedback } from '../../../src/feedback/schema.js';
import { ShadowOutcomes } from '../../../src/feedback/shadow-outcomes.js';
import { readLabelledTransactions } from '../../../src/fraud/simulator/fixture-reader.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { systemClock } from '../../../src/streams/index.js';
import { connectProducer } from '../../../src/streams/kafka/index.js';
import { connection, uniqueName } from '../helpers.js';
import { waitUntil } from '../streams/helpers.js';

const FIXTURE = 'test/fixtures/small';

describe('labelled precision and recall from the label topics', () => {
  it('follows chargebacks and analyst verdicts on the broker and scores the live and the shadow model on the labelled transactions, decided before an engine restart', async () => {
    const topics = { chargebacks: uniqueName('chargebacks'), alertFeedback: uniqueName('alert-feedback') };
    const registryUrl = inject('schemaRegistryUrl');
    const log = pino({ level: 'silent' });

    // Decisions first, as an engine would make them: the live model alerts on every fraud and one
    // legitimate payment; the shadow on every other fraud and nothing else. They go to the engine's
    // decision store, which then closes and opens again (an engine restart) before any label exists.
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-labels-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const openLog = () => StoredDecisionLog.open({ stateDir, applicationId: 'engine', clock: systemClock, log });
    const before = await openLog();
    const decidedBefore = new ShadowOutcomes(before);
    for await (const d of before.load()) decidedBefore.restored(d);
    const fraud: string[] = [];
    const legit: string[] = [];
    for await (const { transaction: t, label } of readLabelledTransactions(FIXTURE)) (label ? fraud : legit).push(t.transaction_id);
    const falseAlarm = legit[0] as string;
    for (const id of legit) decidedBefore.decided({ transactionId: id, live: { version: 'A', alerted: id === falseAlarm }, shadow: { version: 'B', alerted: false } });
    fraud.forEach((id, i) => decidedBefore.decided({ transactionId: id, live: { version: 'A', alerted: true }, shadow: { version: 'B', alerted: i % 2 === 0 } }));
    await before.close();
    const after = await openLog();
    onTestFinished(() => after.close());
    const outcomes = new ShadowOutcomes(after);
    let loaded = 0;
    for await (const d of after.load()) {
      outcomes.restored(d);
      loaded++;
    }
    expect(loaded).toBe(fraud.length + legit.length);

    const follower = await LabelFollower.start({ connection: connection(), registryUrl, outcomes, log, topics });
    onTestFinished(() => follower.close());
    const replayed = await replayChargebacks({ fixtureDir: FIXTURE, connection: connection(), registryUrl, topic: topics.chargebacks, log });
    const serde = registrySerde<AlertFeedback>({ url: registryUrl, topics: [topics.alertFeedback], schema: feedbackSchemaText(), messageName: ALERT_FEEDBACK_MESSAGE });
    await serde.prepare();
    onTestFinished(() => serde.close());
    const producer = await connectProducer(connection(), { idempotent: true });
    onTestFinished(() => producer.close());
    const verdict: AlertFeedback = { transaction_id: falseAlarm, alert_id: `transactions/0/1`, verdict: 'VERDICT_FALSE_POSITIVE', analyst: 'test', decided_at_ms: Date.now(), model_version: 'A', score: 0.9, card_id: 'c', event_time_ms: 0 };
    await producer.send([{ topic: topics.alertFeedback, key: falseAlarm, value: serde.serialize(topics.alertFeedback, verdict) }]);

    const expectedLabelled = replayed.chargebacks + 1;
    await waitUntil(async () => outcomes.outcomes().find((o) => o.role === 'live')?.labelled === expectedLabelled, 30_000, `${expectedLabelled} labelled transactions`);
    const live = outcomes.outcomes().find((o) => o.role === 'live')!;
    const shadow = outcomes.outcomes().find((o) => o.role === 'shadow')!;
    // Only the chargebacked fraud is known to be fraud; the verdict makes the false alarm known.
    expect(live).toMatchObject({ version: 'A', labelledFraud: replayed.chargebacks, alertedFraud: replayed.chargebacks, recall: 1 });
    expect(live.precision).toBeCloseTo(replayed.chargebacks / (replayed.chargebacks + 1), 9);
    expect(shadow.version).toBe('B');
    expect(shadow.precision).toBe(1);
    expect(shadow.recall).toBeGreaterThan(0.2);
    expect(shadow.recall).toBeLessThan(0.8);
  }, 90_000);
});
