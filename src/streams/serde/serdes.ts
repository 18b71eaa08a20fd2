import { VigilError } from '../errors.js';
import type { Serde } from './serde.js';
import { readSafeInt64BE, writeInt64BE } from './int64.js';

function serdeOf<T>(name: string, encode: (data: T) => Buffer, decode: (bytes: Buffer) => T): Serde<T> {
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        return encode(data);
      } catch (cause) {
        throw new VigilError('VIGIL_ERR_SERDE', `${name} serde could not serialize a value for topic "${topic}"`, { cause });
      }
    },
    deserialize(topic, bytes) {
      if (bytes === null || bytes === undefined) return null;
      try {
        return decode(bytes);
      } catch (cause) {
        throw new VigilError(
          'VIGIL_ERR_SERDE',
          `${name} serde could not deserialize ${bytes.length} bytes from topic "${topic}"; check the producer's format`,
          { cause },
        );
      }
    },
  };
}

function fixedWidth(name: string, bytes: Buffer, width: number): void {
  if (bytes.length !== width) throw new RangeError(`${name} needs exactly ${width} bytes, got ${bytes.length}`);
}

/**
 * The built-in serdes. Every serde maps null to null (tombstones). Number
 * encodings are big-endian so that the byte order of non-negative values
 * matches their numeric order in range scans.
 */
export const Serdes = {
  /** UTF-8 text. */
  String(): Serde<string> {
    return serdeOf(
      'String',
      (s) => Buffer.from(s, 'utf8'),
      (b) => b.toString('utf8'),
    );
  },
  /** UTF-8 JSON text; throws VIGIL_ERR_SERDE on malformed input. */
  Json<T>(): Serde<T> {
    return serdeOf<T>(
      'Json',
      (v) => Buffer.from(JSON.stringify(v), 'utf8'),
      (b) => JSON.parse(b.toString('utf8')) as T,
    );
  },
  /** IEEE-754 float64, big-endian (Kafka's DoubleSerde). */
  Number(): Serde<number> {
    return serdeOf(
      'Number',
      (n) => {
        const b = Buffer.alloc(8);
        b.writeDoubleBE(n);
        return b;
      },
      (b) => {
        fixedWidth('Number', b, 8);
        return b.readDoubleBE(0);
      },
    );
  },
  /** Signed 32-bit integer, big-endian (Kafka's IntegerSerde). */
  Int32(): Serde<number> {
    return serdeOf(
      'Int32',
      (n) => {
        if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`${n} is not an int32`);
        const b = Buffer.alloc(4);
        b.writeInt32BE(n);
        return b;
      },
      (b) => {
        fixedWidth('Int32', b, 4);
        return b.readInt32BE(0);
      },
    );
  },
  /** Signed 64-bit integer, big-endian (Kafka's LongSerde), as a safe JS number. */
  Long(): Serde<number> {
    return serdeOf(
      'Long',
      (n) => {
        const b = Buffer.allocUnsafe(8);
        writeInt64BE(b, n, 0);
        return b;
      },
      (b) => {
        fixedWidth('Long', b, 8);
        return readSafeInt64BE(b, 0);
      },
    );
  },
  /** Raw bytes, passed through (copied, so callers cannot alias consumer buffers). */
  Bytes(): Serde<Buffer> {
    return serdeOf(
      'Bytes',
      (b) => Buffer.from(b),
      (b) => Buffer.from(b),
    );
  },
} as const;
