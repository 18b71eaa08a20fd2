import protobuf from 'protobufjs';

/**
 * Whether bytes written with one Protobuf message type can be read with
 * another, checked the way the wire format allows: a reader skips fields it
 * does not know and fills fields the writer lacks with defaults, so what
 * breaks is a field number whose *wire type* changed (a string that became
 * an int64 decodes as garbage or throws). Both must also be the same
 * message (same fully qualified name): reading a Refund as a Payment would
 * "succeed" on the wire and mean nothing. Nested message fields are checked
 * by name, not recursively: the registry's compatibility rules cover the
 * rest, and this is a guard against the wrong schema, not a second checker.
 *
 * Returns undefined when readable, else the reason, for the error message.
 */
export function whyNotReadable(writer: protobuf.Type, reader: protobuf.Type): string | undefined {
  if (writer.fullName !== reader.fullName) return `the record holds ${writer.fullName.slice(1)} in the writer's schema`;
  for (const readerField of reader.fieldsArray) {
    const writerField = writer.fieldsById[readerField.id];
    if (writerField === undefined) continue;
    const w = wireShape(writerField);
    const r = wireShape(readerField);
    if (w !== r) return `field ${readerField.id} is ${describe(writerField)} in the writer's schema but ${describe(readerField)} in the reader's`;
  }
  return undefined;
}

// Scalar types that share a wire encoding, so a change between them still decodes.
const WIRE_GROUP: { [type: string]: string } = {
  int32: 'varint',
  int64: 'varint',
  uint32: 'varint',
  uint64: 'varint',
  bool: 'varint',
  sint32: 'zigzag',
  sint64: 'zigzag',
  fixed32: 'i32',
  sfixed32: 'i32',
  float: 'i32',
  fixed64: 'i64',
  sfixed64: 'i64',
  double: 'i64',
  string: 'len',
  bytes: 'len',
};

function wireShape(field: protobuf.Field): string {
  field.resolve();
  const base = field.resolvedType instanceof protobuf.Enum ? 'varint' : field.resolvedType instanceof protobuf.Type ? `message:${field.resolvedType.fullName}` : (WIRE_GROUP[field.type] ?? field.type);
  const map = field instanceof protobuf.MapField ? `map<${WIRE_GROUP[field.keyType] ?? field.keyType},` : '';
  return `${map}${base}${field.repeated && !map ? '[]' : ''}`;
}

function describe(field: protobuf.Field): string {
  const map = field instanceof protobuf.MapField ? `map<${field.keyType}, ${field.type}>` : field.type;
  return `${field.repeated && !(field instanceof protobuf.MapField) ? 'repeated ' : ''}${map} ${field.name}`;
}
