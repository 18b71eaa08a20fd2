import { VigilError } from '../../../errors.js';
import type { Serde } from '../../../serde/serde.js';
import { readInt64BE, writeInt64BE } from '../../../serde/int64.js';

/** What the suppression buffer store keeps per window: the pending update, what preceded it, and its timestamp. */
export interface SuppressedUpdate<V> {
  readonly newValue: V | null;
  readonly priorValue: V | null;
  readonly timestamp: number;
}

const HEADER = 8 + 1 + 4;

/** `[timestamp int64][flags: 1 = new, 2 = prior][newLength u32][new][prior]`. Headers are not kept. */
export function suppressedUpdateSerde<V>(inner: Serde<V>): Serde<SuppressedUpdate<V>> {
  return {
    serialize(topic, update) {
      if (update === null) return null;
      const n = update.newValue === null ? null : inner.serialize(topic, update.newValue);
      const p = update.priorValue === null ? null : inner.serialize(topic, update.priorValue);
      const head = Buffer.alloc(HEADER);
      writeInt64BE(head, update.timestamp, 0);
      head.writeUInt8((n ? 1 : 0) | (p ? 2 : 0), 8);
      head.writeUInt32BE(n?.length ?? 0, 9);
      return Buffer.concat([head, n ?? Buffer.alloc(0), p ?? Buffer.alloc(0)]);
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      if (bytes.length < HEADER) {
        throw new VigilError(
          'VIGIL_ERR_SERDE',
          `A suppression buffer entry needs at least ${HEADER} bytes, got ${bytes.length}; the store holds data from another format.`,
        );
      }
      const flags = bytes.readUInt8(8);
      const newLength = bytes.readUInt32BE(9);
      return {
        timestamp: readInt64BE(bytes, 0),
        newValue: flags & 1 ? inner.deserialize(topic, bytes.subarray(HEADER, HEADER + newLength)) : null,
        priorValue: flags & 2 ? inner.deserialize(topic, bytes.subarray(HEADER + newLength)) : null,
      };
    },
  };
}
