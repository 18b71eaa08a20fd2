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
