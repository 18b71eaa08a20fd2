import { protobufSerde, Serdes, TopologyTestDriver, VigilError, decodeWireFormat, encodeWireFormat } from '../../../src/streams/index.js';
import type { Serde } from '../../../src/streams/index.js';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../../src/fraud/features/feature-names.js';
import type { ModelMetadata } from '../../../src/fraud/model/metadata.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import { DECODE_OPTIONS, vigilSchema } from '../../../src/fraud/schema/vigil-schema.js';
import type { Alert, FeatureVector, Transaction, UserProfile, VigilMessageName } from '../../../src/fraud/schema/types.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import type { FraudTopologyOptions } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { T0 } from '../features/builders.js';

/** The only schema id the test serde knows; anything else is "unknown", as with a registry. */
export const KNOWN_SCHEMA_ID = 7;

/**
 * A registry-framed Protobuf serde over a fixed id: like the registry serde,
 * it throws VIGIL_ERR_UNKNOWN_SCHEMA for ids it does not know.
 */
export function framedSerde<T extends object>(name: VigilMessageName): Serde<T> {
  const schema = vigilSchema();
  const inner = protobufSerde<T>(schema.type(name), { conversion: DECODE_OPTIONS });
  const messageIndexes = schema.messageIndexes(name);
  return {
    serialize(topic, value) {
      const payload = inner.serialize(topic, value);
      return payload === null ? null : encodeWireFormat({ schemaId: KNOWN_SCHEMA_ID, messageIndexes, payload });
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      const frame = decodeWireFormat(bytes);
      if (frame.schemaId !== KNOWN_SCHEMA_ID) throw new VigilError('VIGIL_ERR_UNKNOWN_SCHEMA', `schema id ${frame.schemaId} is not registered`);
      return inner.deserialize(topic, frame.payload);
    },
  };
}

export const serdes = {
  transaction: framedSerde<Transaction>('vigil.v1.Transaction'),
  profile: framedSerde<UserProfile>('vigil.v1.UserProfile'),
  alert: framedSerde<Alert>('vigil.v1.Alert'),
};

/** Metadata for a hand-made scorer: the topology's features, zero baseline except where a test needs one. */
export function fakeMetadata(overrides: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    version: 'fake-1',
    feature_set_version: FEATURE_SET_VERSION,
    feature_names: FEATURE_NAMES,
    threshold: 0.5,
    input_name: 'float_input',
    output_name: 'probabilities',
    baseline: FEATURE_NAMES.map((n) => (n === 'seconds_since_prev' ? 3600 : n === 'amount_vs_typical' || n === 'amount_vs_mean' ? 1 : 0)),
    ...overrides,
  };
}

const col = (name: string): number => FEATURE_NAMES.indexOf(name as never);

/**
 * A transparent rule model: probability 0.9 for a burst (≥ 5 payments in an
 * hour), 0.95 for faster-than-a-jet travel, else 0.05. Records every batch
 * size it was called with.
 */
export function ruleScorer(): Scorer & { batches: number[] } {
  const batches: number[] = [];
  return {
    metadata: fakeMetadata(),
    batches,
    async score(rows) {
      batches.push(rows.length);
      return rows.map((r) => ((r[col('geo_velocity_kmh')] as number) > 1000 ? 0.95 : (r[col('count_1h')] as number) >= 5 ? 0.9 : 0.05));
    },
    async close() {},
  };
}

/** A driver over the fraud topology with in-memory stores and the wall clock 30 days after T0. */
export function fraudHarness(options: Omit<FraudTopologyOptions, 'serdes'> & { wallClockMs?: number }) {
  const topology = buildFraudTopology({ serdes, storeType: 'memory', ...options });
  const driver = new TopologyTestDriver(topology, fraudStreamsConfig({ applicationId: 'fraud-test', defaultStoreType: 'memory' }), {
    initialWallClockTimeMs: options.wallClockMs ?? T0 + 30 * 24 * 3_600_000,
  });
  return {
    driver,
    profiles: driver.createInputTopic('user-profiles', Serdes.String(), serdes.profile),
    transactions: driver.createInputTopic('transactions', Serdes.String(), serdes.transaction),
    raw: driver.createInputTopic('transactions', Serdes.String(), Serdes.Bytes()),
    alerts: driver.createOutputTopic('alerts', Serdes.String(), serdes.alert),
    dlq: driver.createOutputTopic('transactions.dlq', Serdes.String(), Serdes.Bytes()),
    features: driver.createOutputTopic('transaction-features', Serdes.String(), Serdes.Json<FeatureVector>()),
  };
}

/** Header value as text. */
export function header(record: { headers: ReadonlyMap<string, Buffer> }, name: string): string | undefined {
  return record.headers.get(name)?.toString('utf8');
}
