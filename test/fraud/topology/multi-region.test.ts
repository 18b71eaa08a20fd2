import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import type { FraudTopologyOptions } from '../../../src/fraud/topology/fraud-topology.js';
import type { DuplicateTransaction } from '../../../src/fraud/features/card-processor.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { MIRRORED_TRANSACTIONS, mirroredTopicPattern } from '../../../src/fraud/topology/topics.js';
import { Serdes, TopologyTestDriver } from '../../../src/streams/index.js';
import { HOUR, LA, MIN, T0, profile, tx } from '../features/builders.js';
import { fakeMetadata, serdes } from './harness.js';

const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));

/** Alerts on every transaction: what reaches scoring is exactly what alerts. */
function alwaysAlert(): Scorer {
  return { metadata: fakeMetadata(), score: async (rows) => rows.map(() => 0.99), close: async () => {} };
}

/** The fraud topology as the engine runs it on the central cluster: transactions by regex over the mirrored topics. */
function central(options: Omit<FraudTopologyOptions, 'serdes' | 'topics'>) {
  const topology = buildFraudTopology({ serdes, storeType: 'memory', topics: { transactions: MIRRORED_TRANSACTIONS }, ...options });
  const driver = new TopologyTestDriver(topology, fraudStreamsConfig({ applicationId: 'fraud-central', defaultStoreType: 'memory' }), {
    initialWallClockTimeMs: T0 + 30 * 24 * HOUR,
  });
  return {
    driver,
    profiles: driver.createInputTopic('user-profiles', Serdes.String(), serdes.profile),
    east: driver.createInputTopic('us-east.transactions', Serdes.String(), serdes.transaction),
    west: driver.createInputTopic('us-west.transactions', Serdes.String(), serdes.transaction),
    alerts: driver.createOutputTopic('alerts', Serdes.String(), serdes.alert),
    /** Flushes the scoring micro-batch. */
    flush: () => driver.advanceWallClockTime(1_000),
  };
}

describe('mirroredTopicPattern', () => {
  it('matches each region’s mirrored topic and nothing else on the central cluster', () => {
    const topics = ['us-east.transactions', 'us-west.transactions', 'transactions', 'transactions.dlq', 'us-east.checkpoints.internal', 'eu-west.transactions', 'xus-east.transactions'];
    expect(topics.filter((t) => MIRRORED_TRANSACTIONS.test(t))).toEqual(['us-east.transactions', 'us-west.transactions']);
    expect(mirroredTopicPattern(['eu.west'], 'tx').test('eu-west.tx')).toBe(false);
  });
});

describe('fraud topology on the mirrored topics (regex source)', () => {
  it('processes a transaction once when it arrives on both mirrored topics: one alert, one duplicate reported', async () => {
    const duplicates: DuplicateTransaction[] = [];
    const h = central({ scoring: { scorer: alwaysAlert() }, dedupe: { onDuplicate: (d) => duplicates.push(d) } });
    try {
      await h.profiles.pipeInput('u-1', profile(), T0);
      const payment = tx({ transaction_id: 'tx-twice', event_time_ms: T0 + HOUR });
      await h.east.pipeInput(payment.card_id, payment, payment.event_time_ms);
      await h.west.pipeInput(payment.card_id, payment, payment.event_time_ms);
      await h.flush();
      const alerts = h.alerts.readValuesToList() as Alert[];
      expect(alerts.map((a) => a.transaction?.transaction_id)).toEqual(['tx-twice']);
      expect(alerts[0]?.source).toEqual({ topic: 'us-east.transactions', partition: 0, offset: 0 });
      expect(duplicates).toEqual([
        {
          transactionId: 'tx-twice',
          cardId: 'c-1',
          region: 'us-east',
          source: { topic: 'us-west.transactions', partition: 0, offset: 0 },
          firstSeen: { topic: 'us-east.transactions', partition: 0, offset: 0 },
          conflicting: false,
        },
      ]);
    } finally {
      await h.driver.close();
    }
  });

  it('keeps the duplicate out of the card’s state: the next payment counts one earlier payment, not two', async () => {
    const h = central({ emitFeatures: true });
    const features = h.driver.createOutputTopic('transaction-features', Serdes.String(), Serdes.Json<{ features: { [k: string]: number } }>());
    try {
      const first = tx({ transaction_id: 'tx-a', event_time_ms: T0 });
      await h.west.pipeInput(first.card_id, first, first.event_time_ms);
      await h.east.pipeInput(first.card_id, first, first.event_time_ms);
      const second = tx({ transaction_id: 'tx-b', event_time_ms: T0 + 10 * MIN });
      await h.east.pipeInput(second.card_id, second, second.event_time_ms);
      const rows = features.readValuesToList();
      expect(rows.map((r) => r?.features.count_1h)).toEqual([1, 2]);
      expect(rows[1]?.features.history_count).toBe(1);
    } finally {
      await h.driver.close();
    }
  });

  it('flags a copy with the same id but another amount as conflicting, and still drops it', async () => {
    const duplicates: DuplicateTransaction[] = [];
    const h = central({ emitFeatures: true, dedupe: { onDuplicate: (d) => duplicates.push(d) } });
    try {
      const payment = tx({ transaction_id: 'tx-c', event_time_ms: T0 });
      await h.east.pipeInput(payment.card_id, payment, payment.event_time_ms);
      await h.west.pipeInput(payment.card_id, { ...payment, amount_minor: 99_999 }, payment.event_time_ms);
      expect(duplicates.map((d) => d.conflicting)).toEqual([true]);
    } finally {
      await h.driver.close();
    }
  });

  it('forgets a transaction id once stream time has moved past the dedupe window', async () => {
    const duplicates: DuplicateTransaction[] = [];
    const h = central({ emitFeatures: true, dedupe: { windowMs: HOUR, onDuplicate: (d) => duplicates.push(d) } });
    const features = h.driver.createOutputTopic('transaction-features', Serdes.String(), Serdes.Json<{ transaction_id: string }>());
    try {
      const old = tx({ transaction_id: 'tx-old', event_time_ms: T0 });
      await h.east.pipeInput(old.card_id, old, old.event_time_ms);
      const later = tx({ transaction_id: 'tx-later', event_time_ms: T0 + 3 * HOUR });
      await h.east.pipeInput(later.card_id, later, later.event_time_ms);
      await h.west.pipeInput(old.card_id, old, old.event_time_ms); // three hours late
      expect(duplicates).toEqual([]);
      expect(features.readValuesToList().map((f) => f?.transaction_id)).toEqual(['tx-old', 'tx-later', 'tx-old']);
    } finally {
      await h.driver.close();
    }
  });

  it('without dedupe (dedupe: false) both copies are processed', async () => {
    const h = central({ scoring: { scorer: alwaysAlert() }, dedupe: false });
    try {
      const payment = tx({ transaction_id: 'tx-twice', event_time_ms: T0 });
      await h.east.pipeInput(payment.card_id, payment, payment.event_time_ms);
      await h.west.pipeInput(payment.card_id, payment, payment.event_time_ms);
      await h.flush();
      expect(h.alerts.readValuesToList()).toHaveLength(2);
    } finally {
      await h.driver.close();
    }
  });
});

describe('impossible travel between regions, with the committed model', () => {
  let scorer: OnnxScorer;
  beforeAll(async () => {
    scorer = await OnnxScorer.load({ modelPath: MODEL });
  });
  afterAll(async () => {
    await scorer?.close();
  });

  it('alerts when a card buys groceries in New York (us-east) and 20 minutes later in Los Angeles (us-west), for the travel', async () => {
    const h = central({ scoring: { scorer } });
    try {
      await h.profiles.pipeInput('u-1', profile(), T0 - 24 * HOUR);
      // A week of ordinary grocery payments at home, in us-east.
      for (let day = 0; day < 7; day++) {
        const p = tx({ event_time_ms: T0 + day * 24 * HOUR + 18 * HOUR, amount_minor: 3800 + day * 100 });
        await h.east.pipeInput(p.card_id, p, p.event_time_ms);
      }
      await h.flush();
      expect(h.alerts.readValuesToList()).toEqual([]);
      const home = tx({ transaction_id: 'tx-home', event_time_ms: T0 + 7 * 24 * HOUR + 12 * HOUR });
      await h.east.pipeInput(home.card_id, home, home.event_time_ms);
      const away = tx({
        transaction_id: 'tx-away',
        ...LA,
        region: 'us-west',
        merchant_id: 'm-grocer-la',
        event_time_ms: home.event_time_ms + 20 * MIN,
      });
      await h.west.pipeInput(away.card_id, away, away.event_time_ms);
      await h.flush();
      const alerts = h.alerts.readValuesToList() as Alert[];
      expect(alerts.map((a) => a.transaction?.transaction_id)).toEqual(['tx-away']);
      const reasons = alerts[0]?.reasons.map((r) => r.feature) ?? [];
      expect(reasons[0]).toBe('geo_velocity_kmh');
      expect(alerts[0]?.source?.topic).toBe('us-west.transactions');
    } finally {
      await h.driver.close();
    }
  });
});
