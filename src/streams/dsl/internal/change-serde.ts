import { VigilError } from '../../errors.js';
import type { Change } from '../../processor/change.js';
import type { Serde } from '../../serde/serde.js';

/**
 * Carries a table change through a repartition topic (Kafka Streams'
 * ChangedSerializer): `[flags][u32 newLength][new bytes][old bytes]`,
 * flag bit 0 = new present, bit 1 = old present.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(topic, change) {
      if (change === null) return null;
      const n = change.newValue === null ? null : inner.serialize(topic, change.newValue);
      const o = change.oldValue === null ? null : inner.serialize(topic, change.oldValue);
      const head = Buffer.alloc(5);
      head.writeUInt8((n ? 1 : 0) | (o ? 2 : 0), 0);
      head.writeUInt32BE(n?.length ?? 0, 1);
      return Buffer.concat([head, n ?? Buffer.alloc(0), o ?? Buffer.alloc(0)]);
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      if (bytes.length < 5) throw new VigilError('VIGIL_ERR_SERDE', `a table change needs at least 5 bytes, got ${bytes.length}`);
      const flags = bytes.readUInt8(0);
      const newLength = bytes.readUInt32BE(1);
      const newValue = flags & 1 ? inner.deserialize(topic, bytes.subarray(5, 5 + newLength)) : null;
      const oldValue = flags & 2 ? inner.deserialize(topic, bytes.subarray(5 + newLength)) : null;
      return { newValue, oldValue };
    },
  };
}
