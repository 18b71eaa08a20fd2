import { VigilError } from '../../../errors.js';
import type { Serde } from '../../../serde/serde.js';
import { readInt64BE, writeInt64BE } from '../../../serde/int64.js';

/**
 * What a windowed aggregation keeps per window: the aggregate and the
 * largest record timestamp that went into it (Kafka Streams'
 * `ValueAndTimestamp`). That timestamp becomes the result's timestamp.
 */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export function valueAndTimestamp<V>(value: V, timestamp: number): ValueAndTimestamp<V> {
  return { value, timestamp };
}

/**
 * Wraps a value serde: 8 bytes of big-endian timestamp, then the value's
 * bytes (the layout of Kafka Streams' timestamped stores), so persistent
 * window stores can hold a ValueAndTimestamp.
 */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const valueBytes = inner.serialize(topic, data.value) ?? Buffer.alloc(0);
      const out = Buffer.allocUnsafe(8 + valueBytes.length);
      writeInt64BE(out, data.timestamp, 0);
      valueBytes.copy(out, 8);
      return out;
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      if (bytes.length < 8) {
        throw new VigilError(
          'VIGIL_ERR_SERDE',
          `A timestamped window value needs at least 8 bytes, got ${bytes.length}; the store holds data from another format.`,
        );
      }
      const value = inner.deserialize(topic, bytes.subarray(8)) as V;
      return { value, timestamp: readInt64BE(bytes, 0) };
    },
  };
}
