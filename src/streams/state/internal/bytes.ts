/**
 * Byte helpers shared by the stores. Keys are compared as unsigned bytes,
 * which is LevelDB's default comparator, so the in-memory stores order keys
 * exactly as the persistent ones do.
 */
import { VigilError } from '../../errors.js';

const TWO_POW_32 = 4294967296;

/** Size of an encoded timestamp in a composite key. */
export const TIMESTAMP_SIZE = 8;

/** Largest timestamp a composite key can hold (kept within JS' safe integers). */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/**
 * Writes `ms` as an 8-byte big-endian integer, the layout Kafka Streams uses
 * in window and session keys. Negative times are refused: two's complement
 * would sort them after every positive time and break range scans (Kafka
 * Streams drops negative timestamps for the same reason).
 */
export function writeTimestamp(target: Buffer, offset: number, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new VigilError(
      'VIGIL_ERR_STATE_STORE',
      `a store timestamp must be an integer between 0 and ${MAX_TIMESTAMP}, got ${ms}: check the timestamp extractor`,
    );
  }
  const high = Math.floor(ms / TWO_POW_32);
  target.writeUInt32BE(high, offset);
  target.writeUInt32BE(ms - high * TWO_POW_32, offset + 4);
}

export function readTimestamp(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4);
}

/** The timestamp clamped into the range a composite key can hold. */
export function clampTimestamp(ms: number): number {
  if (ms < 0) return 0;
  if (ms > MAX_TIMESTAMP) return MAX_TIMESTAMP;
  return Math.floor(ms);
}

/**
 * The smallest key greater than every key that starts with `prefix`, or
 * undefined when no such key exists (the prefix is all 0xff bytes). Used as
 * the exclusive upper bound of a prefix scan.
 */
export function prefixUpperBound(prefix: Buffer): Buffer | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i] as number;
    if (byte !== 0xff) {
      const bound = Buffer.from(prefix.subarray(0, i + 1));
      bound[i] = byte + 1;
      return bound;
    }
  }
  return undefined;
}

/** A stable Map key for a Buffer: latin1 maps each byte to one char, so it is lossless. */
export function keyId(key: Buffer): string {
  return key.toString('latin1');
}

/** Copies `prefix` and `key` into one new buffer. */
export function withPrefix(prefix: number, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length + 1);
  out[0] = prefix;
  key.copy(out, 1);
  return out;
}
