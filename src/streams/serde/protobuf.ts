/**
 * A Serde over a protobufjs message `Type`. Values are plain objects:
 * serialize accepts anything `Type.fromObject` accepts (enum names or
 * numbers, int64 as string or number), and deserialize returns
 * `Type.toObject` output (by default enums as names, int64 as decimal
 * strings, absent fields filled with defaults), so a value round-trips.
 *
 * With `schemaId`, values are framed in the registry wire format with
 * that fixed id; use the registry client when ids must be looked up.
 */
import type protobuf from 'protobufjs';
import { VigilError } from '../errors.js';
import type { Serde } from './serde.js';
import { decodeWireFormat, encodeWireFormat } from './wire-format.js';

export interface ProtobufSerdeOptions {
  /** How decoded messages become plain objects (protobufjs IConversionOptions). */
  readonly conversion?: protobuf.IConversionOptions;
  /** Frame values in the Confluent wire format with this schema id. */
  readonly schemaId?: number;
  /** The message's index path in its .proto file, for the frame; default [0]. */
  readonly messageIndexes?: readonly number[];
}

const DEFAULT_CONVERSION: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true };

export function protobufSerde<T extends object = { [field: string]: unknown }>(
  type: protobuf.Type,
  options: ProtobufSerdeOptions = {},
): Serde<T> {
  const conversion = options.conversion ?? DEFAULT_CONVERSION;
  const { schemaId } = options;
  const messageIndexes = options.messageIndexes ?? [0];
  // protobufjs writes fully qualified names with a leading dot.
  const typeName = type.fullName.replace(/^\./, '');
  return {
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      let payload: Buffer;
      try {
        const message = type.fromObject(data as { [field: string]: unknown });
        const invalid = type.verify(message);
        if (invalid !== null) throw new Error(invalid);
        const encoded = type.encode(message).finish();
        payload = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
      } catch (cause) {
        throw new VigilError(
          'VIGIL_ERR_SERDE',
          `protobuf serde could not serialize a ${typeName} for topic "${topic}": ${(cause as Error).message}; check the value matches the message type`,
          { cause },
        );
      }
      return schemaId === undefined ? payload : encodeWireFormat({ schemaId, messageIndexes, payload });
    },
    deserialize(topic, bytes) {
      if (bytes === null || bytes === undefined) return null;
      const payload = schemaId === undefined ? bytes : decodeWireFormat(bytes).payload;
      try {
        return type.toObject(type.decode(payload), conversion) as T;
      } catch (cause) {
        throw new VigilError(
          'VIGIL_ERR_SERDE',
          `protobuf serde could not decode ${payload.length} bytes from topic "${topic}" as ${typeName}: ${(cause as Error).message}; check the producer writes this message type`,
          { cause },
        );
      }
    },
  };
}
