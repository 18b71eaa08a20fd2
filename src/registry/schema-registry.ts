import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import protobuf from 'protobufjs';
import { VigilError } from '../streams/index.js';
import { decodeWireFormat, encodeWireFormat } from '../streams/index.js';
import { serializedToRoot } from './protobuf-descriptor.js';

/**
 * The schema registry, through its Confluent-compatible API (Apicurio's
 * `/apis/ccompat/v7`). This is the only module that imports
 * @kafkajs/confluent-schema-registry.
 *
 * We use the library for the registry's HTTP API only. Its own Protobuf
 * framing omits the message-index array that Confluent's serializers write
 * after the schema id (and strips leading zero bytes on decode), so records
 * it writes are not readable by other Confluent clients. Framing is done by
 * the engine's wire-format module instead.
 */
export interface ProtobufSubject {
  /** Registry subject, by convention `<topic>-value`. */
  subject: string;
  /** The `.proto` file text. */
  schema: string;
  /** Fully qualified message name, e.g. `vigil.v1.Transaction`. */
  messageName: string;
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

export interface RegistryClient {
  /** Registers (or finds) the schema and returns its id. */
  registerProtobuf(subject: ProtobufSubject): Promise<number>;
  /** Encodes `value` with the message type of schema `schemaId`, in Confluent's wire format. */
  encode(schemaId: number, messageName: string, value: object): Promise<Buffer>;
  /** Decodes wire-format bytes to a plain object; unknown ids fail with VIGIL_ERR_UNKNOWN_SCHEMA. */
  decode(bytes: Buffer): Promise<{ schemaId: number; messageName: string; value: { [field: string]: unknown } }>;
  setCompatibility(subject: string, level: Compatibility): Promise<void>;
}

interface ParsedSchema {
  root: protobuf.Root;
  /** Top-level message types in declaration order: message index i is messages[i]. */
  messages: protobuf.Type[];
}

/**
 * Parses a Protobuf schema as the registry serves it: `.proto` text, or the
 * base64 FileDescriptorProto a Confluent serializer registers on its own
 * (auto.register.schemas). Throws the text parser's error when it is neither.
 */
function parseSchema(text: string): ParsedSchema {
  let parsed: { root: protobuf.Root; package: string | undefined };
  try {
    parsed = protobuf.parse(text, { keepCase: true });
  } catch (err) {
    const fromDescriptor = serializedToRoot(text);
    if (fromDescriptor === undefined) throw err;
    parsed = fromDescriptor;
  }
  const pkg = parsed.package ? parsed.root.lookup(parsed.package) : parsed.root;
  const messages =
    pkg instanceof protobuf.Namespace ? pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type) : [];
  return { root: parsed.root, messages };
}

/** Confluent's message-index path of a (possibly nested) message within its file. */
function indexesOf(schema: ParsedSchema, messageName: string): number[] {
  const type = schema.root.lookupType(messageName);
  const path: number[] = [];
  let current: protobuf.ReflectionObject = type;
  while (current.parent instanceof protobuf.Type) {
    const siblings = current.parent.nestedArray.filter((n) => n instanceof protobuf.Type);
    path.unshift(siblings.indexOf(current as protobuf.Type));
    current = current.parent;
  }
  path.unshift(schema.messages.indexOf(current as protobuf.Type));
  if (path[0] === -1) throw new VigilError('VIGIL_ERR_SERDE', `${messageName} is not a message of this schema`);
  return path;
}

function typeAt(schema: ParsedSchema, indexes: number[]): protobuf.Type | undefined {
  let type = schema.messages[indexes[0] ?? 0];
  for (const i of indexes.slice(1)) type = type?.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)[i];
  return type;
}

export function connectRegistry(url: string): RegistryClient {
  // The library parses a Protobuf schema before registering it and takes the
  // file's first top-level element as its message unless told which one,
  // which fails when an enum comes first; one client per message name.
  const clients = new Map<string, SchemaRegistry>();
  const clientFor = (messageName: string): SchemaRegistry => {
    const short = messageName.slice(messageName.lastIndexOf('.') + 1);
    let client = clients.get(short);
    if (!client) {
      client = new SchemaRegistry({ host: url, retry: { retries: 2 } }, { [SchemaType.PROTOBUF]: { messageName: short } });
      clients.set(short, client);
    }
    return client;
  };
  const schemas = new Map<number, Promise<ParsedSchema>>();

  const schemaById = (id: number): Promise<ParsedSchema> => {
    let found = schemas.get(id);
    if (!found) {
      found = fetchSchemaText(url, id).then(parseSchema);
      // Forget failures so a transient outage is retried on the next record.
      found.catch(() => schemas.delete(id));
      schemas.set(id, found);
    }
    return found;
  };

  return {
    async registerProtobuf({ subject, schema, messageName }) {
      try {
        const { id } = await clientFor(messageName).register({ type: SchemaType.PROTOBUF, schema }, { subject });
        schemas.set(id, Promise.resolve(parseSchema(schema)));
        return id;
      } catch (err) {
        throw new VigilError('VIGIL_ERR_REGISTRY', `registering ${subject} failed: ${(err as Error).message}`, { cause: err });
      }
    },
    async encode(schemaId, messageName, value) {
      const schema = await schemaById(schemaId);
      const type = schema.root.lookupType(messageName);
      // fromObject first, so enum names ("CHANNEL_ONLINE") are accepted as well as numbers.
      const message = type.fromObject(value);
      const invalid = type.verify(message);
      if (invalid) throw new VigilError('VIGIL_ERR_SERDE', `${messageName}: ${invalid}`);
      const payload = Buffer.from(type.encode(message).finish());
      return encodeWireFormat({ schemaId, messageIndexes: indexesOf(schema, messageName), payload });
    },
    async decode(bytes) {
      const frame = decodeWireFormat(bytes);
      const schema = await schemaById(frame.schemaId);
      const type = typeAt(schema, frame.messageIndexes);
      if (!type) {
        throw new VigilError('VIGIL_ERR_SERDE', `schema ${frame.schemaId} has no message at index ${frame.messageIndexes.join('.')}`);
      }
      let message: protobuf.Message;
      try {
        message = type.decode(frame.payload);
      } catch (err) {
        throw new VigilError('VIGIL_ERR_SERDE', `payload is not a valid ${type.fullName.slice(1)}: ${(err as Error).message}`, { cause: err });
      }
      const value = type.toObject(message, { longs: Number, enums: String, defaults: true }) as { [field: string]: unknown };
      return { schemaId: frame.schemaId, messageName: type.fullName.slice(1), value };
    },
    async setCompatibility(subject, level) {
      const res = await fetch(`${url}/config/${encodeURIComponent(subject)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility: level }),
      });
      if (!res.ok) throw new VigilError('VIGIL_ERR_REGISTRY', `setting ${level} on ${subject} failed: HTTP ${res.status} ${await res.text()}`);
    },
  };
}

/**
 * The schema text for an id. Fetched directly (GET /schemas/ids/{id}) so
 * that an unknown id is a clear, coded error rather than the library's
 * generic one, and so the raw text can be parsed with message indexes.
 */
async function fetchSchemaText(url: string, id: number): Promise<string> {
  const text = await fetchSchemaById(url, id);
  if (text === undefined) {
    throw new VigilError('VIGIL_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not registered in ${url}; was the record written against another registry?`);
  }
  return text;
}

// The parsing helpers are shared with the synchronous registry serde
// (registry-serde.ts), so both frame and select messages the same way.
export { parseSchema as parseProtobufSchema, indexesOf as messageIndexesOf, typeAt as messageTypeAt };
export type { ParsedSchema as ParsedProtobufSchema };

/**
 * Every schema id registered under `subject`, oldest version first; `[]`
 * when the subject does not exist. `cache` (version → id) avoids asking
 * again for versions already seen, since a version's id never changes.
 */
export async function listSubjectSchemaIds(url: string, subject: string, cache = new Map<number, number>()): Promise<number[]> {
  const known = new Map([...cache].map(([version, id]): [number, SubjectVersion] => [version, { version, id, schema: undefined }]));
  const versions = await listSubjectVersions(url, subject, known);
  for (const v of versions) cache.set(v.version, v.id);
  return versions.map((v) => v.id);
}

export interface SubjectVersion {
  version: number;
  id: number;
  /** The schema text; undefined when the version came from the caller's cache without it. */
  schema: string | undefined;
}

/**
 * Every version registered under `subject` with its id and schema text,
 * oldest first; `[]` when the subject does not exist. Versions already in
 * `cache` are not fetched again: a version's id and text never change.
 */
export async function listSubjectVersions(url: string, subject: string, cache = new Map<number, SubjectVersion>()): Promise<SubjectVersion[]> {
  const base = `${url}/subjects/${encodeURIComponent(subject)}/versions`;
  const versionsRes = await registryGet(url, base);
  if (versionsRes.status === 404) return [];
  if (!versionsRes.ok) {
    throw new VigilError('VIGIL_ERR_REGISTRY', `GET ${base} answered HTTP ${versionsRes.status}`, { canRetry: versionsRes.status >= 500 });
  }
  const versions = (await versionsRes.json()) as number[];
  const found: SubjectVersion[] = [];
  for (const version of [...versions].sort((a, b) => a - b)) {
    let entry = cache.get(version);
    if (entry === undefined) {
      const res = await registryGet(url, `${base}/${version}`);
      if (res.status === 404) continue; // deleted between the two requests
      if (!res.ok) throw new VigilError('VIGIL_ERR_REGISTRY', `GET ${base}/${version} answered HTTP ${res.status}`, { canRetry: res.status >= 500 });
      const body = (await res.json()) as { id: number; schema?: string };
      entry = { version, id: body.id, schema: body.schema };
      cache.set(version, entry);
    }
    found.push(entry);
  }
  return found;
}

/**
 * The schema text registered under `id`, or `undefined` when the registry
 * answers 404 (it does not know the id). Unreachable registries and other
 * answers fail with VIGIL_ERR_REGISTRY (`canRetry` for timeouts and 5xx).
 */
export async function fetchSchemaById(url: string, id: number, timeoutMs = 5_000): Promise<string | undefined> {
  const target = `${url}/schemas/ids/${id}`;
  const res = await registryGet(url, target, timeoutMs);
  if (res.status === 404) return undefined;
  if (!res.ok) {
    const body = await res.text().catch(() => '');
    throw new VigilError('VIGIL_ERR_REGISTRY', `GET ${target} answered HTTP ${res.status}: ${body.slice(0, 200)}`, { canRetry: res.status >= 500 });
  }
  const body = (await res.json()) as { schema?: unknown };
  if (typeof body.schema !== 'string') throw new VigilError('VIGIL_ERR_REGISTRY', `GET ${target} answered without a schema text`);
  return body.schema;
}

async function registryGet(url: string, target: string, timeoutMs = 5_000): Promise<Response> {
  try {
    return await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new VigilError('VIGIL_ERR_REGISTRY', `schema registry at ${url} is unreachable: ${(err as Error).message}`, { cause: err, canRetry: true });
  }
}

/**
 * Registers (or finds) a Protobuf schema under `subject` and returns its id,
 * by POSTing the text to the registry directly, with no client-side parse
 * (the registry-backed serde registers one schema for several messages).
 */
export async function registerProtobufSchema(url: string, subject: string, schema: string): Promise<number> {
  const target = `${url}/subjects/${encodeURIComponent(subject)}/versions`;
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: 'PROTOBUF', schema }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new VigilError('VIGIL_ERR_REGISTRY', `schema registry at ${url} is unreachable: ${(err as Error).message}`, { cause: err, canRetry: true });
  }
  const text = await res.text();
  if (!res.ok) {
    const why = res.status === 409 ? 'the schema is not compatible with the versions already registered' : `HTTP ${res.status}`;
    throw new VigilError('VIGIL_ERR_REGISTRY', `registering ${subject} failed: ${why}: ${text.slice(0, 300)}`, { canRetry: res.status >= 500 });
  }
  return (JSON.parse(text) as { id: number }).id;
}
