/**
 * Confluent's schema-registry wire format, as a pure module (no I/O, no
 * registry client):
 *
 * ```
 * byte 0       magic byte, always 0
 * bytes 1..4   schema id, 4-byte big-endian
 * then         Protobuf only: the message-index array, the path of the
 *              message type within its .proto file, as zigzag varints:
 *              a count followed by the indexes; [0] (the first message,
 *              the usual case) is written as the single byte 0
 * then         the serialized payload
 * ```
 *
 * Avro and JSON Schema frames have no message-index array: pass no
 * `messageIndexes` to encode and `{ messageIndexes: false }` to decode.
 */
import { VigilError } from '../errors.js';

export const MAGIC_BYTE = 0;
const HEADER_SIZE = 5;
const MAX_SCHEMA_ID = 0x7fffffff;
/** A zigzag varint of a 32-bit integer takes at most 5 bytes. */
const MAX_VARINT_BYTES = 5;

export interface WireFormatFrame {
  readonly schemaId: number;
  /** Protobuf's message-index path; absent for Avro / JSON Schema frames. */
  readonly messageIndexes?: readonly number[];
  readonly payload: Buffer;
}

export interface DecodedWireFormat {
  readonly schemaId: number;
  /** `[0]` when the frame used the single-zero shortcut; `[]` when decoded without indexes. */
  readonly messageIndexes: number[];
  /** A view into the input buffer, not a copy. */
  readonly payload: Buffer;
}

export function encodeWireFormat(frame: WireFormatFrame): Buffer {
  const { schemaId, messageIndexes, payload } = frame;
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new VigilError('VIGIL_ERR_WIRE_FORMAT', `schema id must be an integer between 0 and ${MAX_SCHEMA_ID}, got ${schemaId}`);
  }
  const indexBytes = messageIndexes === undefined ? [] : encodeMessageIndexes(messageIndexes);
  const out = Buffer.allocUnsafe(HEADER_SIZE + indexBytes.length + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  for (let i = 0; i < indexBytes.length; i++) out[HEADER_SIZE + i] = indexBytes[i] as number;
  payload.copy(out, HEADER_SIZE + indexBytes.length);
  return out;
}

export function decodeWireFormat(bytes: Buffer, options: { messageIndexes?: boolean } = {}): DecodedWireFormat {
  if (bytes.length < HEADER_SIZE) {
    throw new VigilError(
      'VIGIL_ERR_WIRE_FORMAT',
      `a wire-format frame needs at least ${HEADER_SIZE} bytes (magic byte + schema id), got ${bytes.length}: the record was not written by a registry serializer`,
    );
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new VigilError(
      'VIGIL_ERR_WIRE_FORMAT',
      `unknown magic byte ${bytes[0]} (expected ${MAGIC_BYTE}): the record was not written by a registry serializer`,
    );
  }
  const schemaId = bytes.readUInt32BE(1);
  if (options.messageIndexes === false) {
    return { schemaId, messageIndexes: [], payload: bytes.subarray(HEADER_SIZE) };
  }
  const reader = { bytes, offset: HEADER_SIZE };
  const count = readZigZagVarint(reader);
  if (count === 0) return { schemaId, messageIndexes: [0], payload: bytes.subarray(reader.offset) };
  // Each index takes at least one byte, so a larger count cannot be honest.
  if (count < 0 || count > bytes.length - reader.offset) {
    throw new VigilError('VIGIL_ERR_WIRE_FORMAT', `message-index count ${count} does not fit in a ${bytes.length}-byte frame`);
  }
  const messageIndexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const index = readZigZagVarint(reader);
    if (index < 0) throw new VigilError('VIGIL_ERR_WIRE_FORMAT', `message index ${index} is negative`);
    messageIndexes.push(index);
  }
  return { schemaId, messageIndexes, payload: bytes.subarray(reader.offset) };
}

/** The message-index array as bytes; `[0]` and `[]` both become the single byte 0. */
export function encodeMessageIndexes(indexes: readonly number[]): number[] {
  if (indexes.length === 0 || (indexes.length === 1 && indexes[0] === 0)) return [0];
  const out: number[] = [];
  writeZigZagVarint(out, indexes.length);
  for (const index of indexes) {
    if (!Number.isInteger(index) || index < 0 || index > MAX_SCHEMA_ID) {
      throw new VigilError('VIGIL_ERR_WIRE_FORMAT', `message index must be a non-negative 32-bit integer, got ${index}`);
    }
    writeZigZagVarint(out, index);
  }
  return out;
}

function writeZigZagVarint(out: number[], value: number): void {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function readZigZagVarint(reader: { bytes: Buffer; offset: number }): number {
  let result = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (reader.offset >= reader.bytes.length) {
      throw new VigilError('VIGIL_ERR_WIRE_FORMAT', 'the frame ends inside the message-index array: the record is truncated');
    }
    const byte = reader.bytes[reader.offset++] as number;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) === 0) {
      const unsigned = result >>> 0;
      return (unsigned >>> 1) ^ -(unsigned & 1);
    }
  }
  throw new VigilError('VIGIL_ERR_WIRE_FORMAT', 'a varint in the message-index array is longer than 5 bytes');
}
