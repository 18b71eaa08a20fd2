import { DECODE_OPTIONS, vigilSchema, type VigilSchema } from './vigil-schema.js';
import type { VigilMessageName, VigilMessages } from './types.js';

/**
 * Encodes a message to its Protobuf bytes (no registry frame). `fromObject`
 * runs first because protobufjs encoders expect enum numbers, not names.
 */
export function encodeMessage<N extends VigilMessageName>(name: N, value: VigilMessages[N], schema: VigilSchema = vigilSchema()): Buffer {
  const type = schema.type(name);
  const bytes = type.encode(type.fromObject(value as unknown as { [k: string]: unknown })).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes Protobuf bytes (no registry frame) to the message's TS shape. Throws protobufjs errors on bad bytes. */
export function decodeMessage<N extends VigilMessageName>(name: N, bytes: Uint8Array, schema: VigilSchema = vigilSchema()): VigilMessages[N] {
  const type = schema.type(name);
  return type.toObject(type.decode(bytes), DECODE_OPTIONS) as VigilMessages[N];
}

/**
 * Normalises a loosely typed object (from JSON, or `toObject` with other
 * options) to the message's TS shape: defaults filled, int64 as numbers,
 * enums as names. Unknown fields are dropped.
 */
export function normalizeMessage<N extends VigilMessageName>(name: N, value: object, schema: VigilSchema = vigilSchema()): VigilMessages[N] {
  const type = schema.type(name);
  return type.toObject(type.fromObject(value as { [k: string]: unknown }), DECODE_OPTIONS) as VigilMessages[N];
}
