import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/**
 * A `.proto` file's text as Confluent's "serialized" schema form: a
 * `google.protobuf.FileDescriptorProto`, encoded, then base64. Confluent's
 * Protobuf serializers and deserializers ask the registry for this form
 * (`?format=serialized`) and parse nothing else.
 *
 * Built with protobufjs' descriptor extension, which does not carry imports:
 * a file that imports another (registry references) is refused with a clear
 * message rather than converted wrongly. Returns undefined when `text` is
 * not a .proto file (already base64, or another schema type).
 */
export function protoTextToSerialized(text: string): string | undefined {
  let root: protobuf.Root;
  try {
    const parsed = protobuf.parse(text, { keepCase: true });
    if ((parsed.imports ?? []).length > 0 || (parsed.weakImports ?? []).length > 0) return undefined;
    root = parsed.root;
  } catch {
    return undefined;
  }
  const set = (root as protobuf.Root & { toDescriptor(syntax: string): { file: object[] } }).toDescriptor(/\bsyntax\s*=\s*"proto2"/.test(text) ? 'proto2' : 'proto3');
  const file = set.file[0];
  if (file === undefined) return undefined;
  const types = descriptor as unknown as { FileDescriptorProto: { encode(message: object): { finish(): Uint8Array } } };
  return Buffer.from(types.FileDescriptorProto.encode(file).finish()).toString('base64');
}

/**
 * The other direction: a schema in Confluent's serialized form (what a
 * Confluent serializer registers with `auto.register.schemas`, a base64
 * FileDescriptorProto) as a protobufjs Root and its package, so Vigil reads
 * records written under such an id. Undefined when `text` is not one.
 */
export function serializedToRoot(text: string): { root: protobuf.Root; package: string | undefined } | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const types = descriptor as unknown as {
    FileDescriptorProto: { decode(bytes: Uint8Array): { package?: string; messageType?: unknown[] } };
    FileDescriptorSet: { create(value: object): object };
  };
  try {
    const file = types.FileDescriptorProto.decode(Buffer.from(trimmed, 'base64'));
    if (!file.messageType || file.messageType.length === 0) return undefined;
    const root = (protobuf.Root as unknown as { fromDescriptor(set: object): protobuf.Root }).fromDescriptor(types.FileDescriptorSet.create({ file: [file] }));
    root.resolveAll();
    return { root, package: file.package || undefined };
  } catch {
    return undefined;
  }
}
