/**
 * Safe JS integers as Kafka's 8-byte big-endian two's complement longs,
 * written and read as two 32-bit halves. Window keys, record timestamps
 * and the Long serde are on the per-record path; going through BigInt
 * there cost two allocations and conversions per field (a profile of
 * bench/runtime had the serdes at 5 % of the thread, mostly this).
 */
const TWO_32 = 0x1_0000_0000;
/** The high half of a safe integer lies in [-2^21, 2^21). */
const HIGH_MIN = -0x20_0000;
const HIGH_MAX = 0x1f_ffff;

/** Writes `n` at `offset`; a RangeError if it is not a safe integer (BigInt refused non-integers too). */
export function writeInt64BE(buf: Buffer, n: number, offset: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not a safe integer`);
  const high = Math.floor(n / TWO_32);
  buf.writeInt32BE(high, offset);
  buf.writeUInt32BE(n - high * TWO_32, offset + 4);
}

/** Reads the long at `offset` as a number (rounded, as `Number(bigint)` would, when it is beyond the safe range). */
export function readInt64BE(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** Reads the long at `offset`; a RangeError if it does not fit a safe integer. */
export function readSafeInt64BE(buf: Buffer, offset: number): number {
  const high = buf.readInt32BE(offset);
  const n = high * TWO_32 + buf.readUInt32BE(offset + 4);
  if (high < HIGH_MIN || high > HIGH_MAX || !Number.isSafeInteger(n)) {
    throw new RangeError(`${buf.readBigInt64BE(offset)} does not fit a safe JS integer`);
  }
  return n;
}
