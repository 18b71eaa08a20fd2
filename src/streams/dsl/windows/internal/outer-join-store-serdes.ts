import { VigilError } from '../../../errors.js';
import type { Serde } from '../../../serde/serde.js';
import type { JoinSide } from './outer-join-buffer.js';
import { readInt64BE, writeInt64BE } from '../../../serde/int64.js';

/** The key of one entry of the outer-join store: records of one side, key and timestamp. */
export interface OuterJoinKey<K> {
  readonly timestamp: number;
  readonly side: JoinSide;
  readonly key: K;
}

/** The values held for one OuterJoinKey, in arrival order. */
export interface UnjoinedValues {
  readonly side: JoinSide;
  readonly values: readonly unknown[];
}

const sideByte = (side: JoinSide): number => (side === 'left' ? 0 : 1);
const sideOf = (byte: number): JoinSide => (byte === 0 ? 'left' : 'right');

/** `[timestamp int64 BE][side: 0 left, 1 right][key]`, Kafka Streams' TimestampedKeyAndJoinSide layout. */
export function outerJoinKeySerde<K>(keySerde: Serde<K>): Serde<OuterJoinKey<K>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const key = keySerde.serialize(topic, data.key) ?? Buffer.alloc(0);
      const out = Buffer.allocUnsafe(9 + key.length);
      writeInt64BE(out, data.timestamp, 0);
      out.writeUInt8(sideByte(data.side), 8);
      key.copy(out, 9);
      return out;
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      requireBytes(bytes, 9);
      return {
        timestamp: readInt64BE(bytes, 0),
        side: sideOf(bytes.readUInt8(8)),
        key: keySerde.deserialize(topic, bytes.subarray(9)) as K,
      };
    },
  };
}

/** `[side][count u32]([length u32][value])*`, each value in its side's serde. */
export function unjoinedValuesSerde(leftSerde: Serde<unknown>, rightSerde: Serde<unknown>): Serde<UnjoinedValues> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const serde = data.side === 'left' ? leftSerde : rightSerde;
      const parts: Buffer[] = [Buffer.alloc(5)];
      parts[0]!.writeUInt8(sideByte(data.side), 0);
      parts[0]!.writeUInt32BE(data.values.length, 1);
      for (const value of data.values) {
        const bytes = serde.serialize(topic, value) ?? Buffer.alloc(0);
        const length = Buffer.allocUnsafe(4);
        length.writeUInt32BE(bytes.length, 0);
        parts.push(length, bytes);
      }
      return Buffer.concat(parts);
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null;
      requireBytes(bytes, 5);
      const side = sideOf(bytes.readUInt8(0));
      const serde = side === 'left' ? leftSerde : rightSerde;
      const count = bytes.readUInt32BE(1);
      const values: unknown[] = [];
      let offset = 5;
      for (let i = 0; i < count; i++) {
        requireBytes(bytes, offset + 4);
        const length = bytes.readUInt32BE(offset);
        offset += 4;
        requireBytes(bytes, offset + length);
        values.push(serde.deserialize(topic, bytes.subarray(offset, offset + length)));
        offset += length;
      }
      return { side, values };
    },
  };
}

function requireBytes(bytes: Buffer, length: number): void {
  if (bytes.length < length) {
    throw new VigilError(
      'VIGIL_ERR_SERDE',
      `An outer-join store entry is truncated (${bytes.length} bytes, needs ${length}); the store holds data from another format.`,
    );
  }
}
