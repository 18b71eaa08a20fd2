import { VigilError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { Windowed } from '../../state/types.js';
import { windowOf } from './window.js';
import { readInt64BE, writeInt64BE } from '../../serde/int64.js';

const TIMESTAMP_BYTES = 8;

/**
 * Serdes for windowed keys, byte-compatible with Kafka Streams'
 * `WindowedSerdes`, so a windowed result topic can be read by either:
 * - time windows: `[key][start: int64 BE]`; the end is `start + windowSize`
 *   (the bytes do not carry it, so the reader must know the size);
 * - sessions: `[key][end: int64 BE][start: int64 BE]`.
 */
export const WindowedSerdes = {
  /** For tumbling, hopping and sliding windows of `windowSizeMs`. */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null) return null;
        const key = inner.serialize(topic, data.key) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + TIMESTAMP_BYTES);
        key.copy(out, 0);
        writeInt64BE(out, data.window.start, key.length);
        return out;
      },
      deserialize(topic, bytes) {
        if (bytes === null) return null;
        requireLength(bytes, TIMESTAMP_BYTES, 'time-windowed');
        const keyEnd = bytes.length - TIMESTAMP_BYTES;
        const start = readInt64BE(bytes, keyEnd);
        return Object.freeze({
          key: inner.deserialize(topic, bytes.subarray(0, keyEnd)) as K,
          window: windowOf(start, start + windowSizeMs),
        });
      },
    };
  },

  /** For session windows: both bounds travel with the key. */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null) return null;
        const key = inner.serialize(topic, data.key) ?? Buffer.alloc(0);
        const out = Buffer.allocUnsafe(key.length + 2 * TIMESTAMP_BYTES);
        key.copy(out, 0);
        writeInt64BE(out, data.window.end, key.length);
        writeInt64BE(out, data.window.start, key.length + TIMESTAMP_BYTES);
        return out;
      },
      deserialize(topic, bytes) {
        if (bytes === null) return null;
        requireLength(bytes, 2 * TIMESTAMP_BYTES, 'session-windowed');
        const keyEnd = bytes.length - 2 * TIMESTAMP_BYTES;
        const end = readInt64BE(bytes, keyEnd);
        const start = readInt64BE(bytes, keyEnd + TIMESTAMP_BYTES);
        return Object.freeze({ key: inner.deserialize(topic, bytes.subarray(0, keyEnd)) as K, window: windowOf(start, end) });
      },
    };
  },
} as const;

function requireLength(bytes: Buffer, min: number, kind: string): void {
  if (bytes.length < min) {
    throw new VigilError(
      'VIGIL_ERR_SERDE',
      `A ${kind} key needs at least ${min} bytes, got ${bytes.length}; check that the topic holds ${kind} keys.`,
    );
  }
}
