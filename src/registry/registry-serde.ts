/**
 * A registry-backed Protobuf Serde that fits the engine's synchronous Serde
 * interface. The registry is only talked to outside the record path:
 *
 * - `await prepare()` registers the local schema under each topic's
 *   `<topic>-value` subject (or finds it) and loads every version the
 *   subject has; from then on `serialize` and `deserialize` are synchronous.
 * - `serialize` encodes with the local protobufjs type and frames the bytes
 *   with the id registered for the topic's subject and the message index.
 * - `deserialize` accepts any id whose writer schema it holds, when the
 *   message the frame's index names in that schema can be read as the
 *   local type (same full name, no field number whose wire type changed).
 *   Protobuf lets old readers skip new fields, so a newer *compatible*
 *   version decodes, whatever subject it was registered under.
 *
 * **Unknown ids are looked up at once**, as Confluent's deserializers do. A
 * record carrying an id this serde has not seen (a producer just registered
 * a new version and produced at once) fails the synchronous `deserialize`;
 * the engine then awaits `resolveMissing`, which fetches
 * `GET /schemas/ids/{id}` (single-flight: concurrent callers share one
 * request; bounded by `lookupTimeoutMs`, retrying an unreachable registry
 * until then) and retries the record. Only these go to the deserialization
 * handler (the DLQ):
 * - VIGIL_ERR_UNKNOWN_SCHEMA: the registry answered 404 for the id
 *   (remembered for `negativeCacheMs`, so a stream of bad ids costs one
 *   request per id, not per record);
 * - VIGIL_ERR_SERDE: the writer's message cannot be read as the local type,
 *   or the payload is not a valid message;
 * - VIGIL_ERR_REGISTRY: the registry could not answer within
 *   `lookupTimeoutMs`, or served a schema that does not parse (remembered
 *   for `negativeCacheMs` too);
 * - VIGIL_ERR_WIRE_FORMAT: bad magic byte, truncated frame.
 * Known ids never touch the network, so a registry restart costs nothing.
 */
import type protobuf from 'protobufjs';
import { VigilError, isVigilError } from '../streams/index.js';
import type { Serde } from '../streams/index.js';
import { decodeWireFormat, encodeWireFormat } from '../streams/index.js';
import { systemClock, type Clock } from '../streams/index.js';
import { whyNotReadable } from './protobuf-compat.js';
import {
  fetchSchemaById,
  listSubjectVersions,
  messageIndexesOf,
  messageTypeAt,
  parseProtobufSchema,
  registerProtobufSchema,
  type ParsedProtobufSchema,
  type SubjectVersion,
} from './schema-registry.js';

export interface RegistrySerdeBase {
  /** The `.proto` file text (all messages; the message index picks one). */
  schema: string;
  /** Fully qualified message this serde reads and writes, e.g. `vigil.v1.Transaction`. */
  messageName: string;
  /** protobufjs toObject options; default int64 as numbers, enums as names, defaults filled. */
  conversion?: protobuf.IConversionOptions;
}

export interface RegistrySerdeOptions extends RegistrySerdeBase {
  /** The registry's Confluent-compatible base URL, e.g. `http://127.0.0.1:18081/apis/ccompat/v7`. */
  url: string;
  /** Topics whose `<topic>-value` subjects this serde writes and reads. */
  topics: readonly string[];
  /**
   * How often the subjects' versions are re-read in the background; default
   * 0 (off): unknown ids are looked up when a record carries them.
   */
  refreshIntervalMs?: number;
  /** Longest a record waits for the lookup of an unknown id, retries included; default 10 000 ms. */
  lookupTimeoutMs?: number;
  /** How long a failed lookup (404, unreachable) is remembered before the id is asked again; default 5 000 ms. */
  negativeCacheMs?: number;
  /** Time source for the negative cache; default the system clock. */
  clock?: Clock;
}

export interface StaticRegistrySerdeOptions extends RegistrySerdeBase {
  /**
   * Subject → the ids registered under it, oldest first. `serialize` writes
   * the last id of the topic's subject, as if `prepare()` had registered it.
   * Every id is taken to hold the local schema.
   */
  schemaIds: ReadonlyMap<string, readonly number[]>;
}

/** A Serde whose ids come from the registry; call `prepare()` before use and `close()` after. */
export interface RegistrySerde<T> extends Serde<T> {
  /** Registers the schema and loads known ids; resolves when serialize/deserialize are usable. */
  prepare(): Promise<void>;
  /** Re-reads the subjects' versions now. */
  refresh(): Promise<void>;
  /**
   * Looks up the schema id of a frame this serde does not know yet (see the
   * module comment); true when `deserialize` may now succeed. Never rejects.
   */
  resolveMissing(topic: string, data: Buffer): Promise<boolean>;
  /** Stops the background refresh. */
  close(): void;
  /** The id `serialize` writes for `topic`, once prepared. */
  writerSchemaId(topic: string): number | undefined;
  /** Every id this serde will decode. */
  knownSchemaIds(): number[];
}

const DEFAULT_CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };
const DEFAULT_LOOKUP_TIMEOUT_MS = 10_000;
const DEFAULT_NEGATIVE_CACHE_MS = 5_000;

export function subjectOf(topic: string): string {
  return `${topic}-value`;
}

/** What both variants share: writer schemas by id and the synchronous codec. */
class SyncCodec<T> implements Serde<T> {
  readonly writerIds = new Map<string, number>();
  /** Schema id → the writer's parsed schema. */
  readonly writers = new Map<number, ParsedProtobufSchema>();
  /** Schema id → why lookups failed (404 or an unreachable registry), until a later lookup succeeds. */
  readonly failures = new Map<number, VigilError>();
  /** `<id>:<message indexes>` → undefined when readable as the local type, else why not. */
  private readonly verdicts = new Map<string, string | undefined>();
  readonly parsed: ParsedProtobufSchema;
  private readonly type: protobuf.Type;
  private readonly indexes: number[];
  private readonly conversion: protobuf.IConversionOptions;

  constructor(
    options: RegistrySerdeBase,
    private readonly onUnknownId: (id: number) => void = () => {},
  ) {
    this.parsed = parseProtobufSchema(options.schema);
    this.type = this.parsed.root.lookupType(options.messageName);
    this.indexes = messageIndexesOf(this.parsed, options.messageName);
    this.conversion = options.conversion ?? DEFAULT_CONVERSION;
  }

  get messageName(): string {
    return this.type.fullName.slice(1);
  }

  addWriter(id: number, schema: ParsedProtobufSchema): void {
    this.writers.set(id, schema);
    this.failures.delete(id);
  }

  serialize(topic: string, data: T | null): Buffer | null {
    if (data === null || data === undefined) return null;
    // The engine's own topics (store changelogs, repartition topics) carry
    // the same message, so they reuse the schema id of the first prepared
    // topic rather than registering a subject per internal topic. Any other
    // unprepared topic is refused: writing to it is likely a mistake.
    const internal = topic.endsWith('-changelog') || topic.endsWith('-repartition');
    const schemaId = this.writerIds.get(subjectOf(topic)) ?? (internal ? this.writerIds.values().next().value : undefined);
    if (schemaId === undefined) {
      throw new VigilError(
        'VIGIL_ERR_SERDE',
        `no schema id for subject ${subjectOf(topic)}: list topic "${topic}" in the serde's topics and await prepare() before producing`,
      );
    }
    let payload: Buffer;
    try {
      const message = this.type.fromObject(data as { [field: string]: unknown });
      const invalid = this.type.verify(message);
      // proto3 enums are open: a value this schema does not name (a newer
      // producer's, or one decoded from a damaged record and being
      // dead-lettered) must round-trip, not stop the stream. protobufjs'
      // verify treats enums as closed, so that one complaint is ignored;
      // fromObject has already coerced every other field to its type.
      if (invalid !== null && !invalid.endsWith(': enum value expected')) throw new Error(invalid);
      const bytes = this.type.encode(message).finish();
      payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (cause) {
      throw new VigilError('VIGIL_ERR_SERDE', `cannot serialize a ${this.messageName} for topic "${topic}": ${(cause as Error).message}`, { cause });
    }
    return encodeWireFormat({ schemaId, messageIndexes: this.indexes, payload });
  }

  deserialize(topic: string, data: Buffer | null): T | null {
    if (data === null || data === undefined) return null;
    const frame = decodeWireFormat(data);
    const writer = this.writers.get(frame.schemaId);
    if (writer === undefined) {
      const failure = this.failures.get(frame.schemaId);
      if (failure !== undefined) throw failure;
      this.onUnknownId(frame.schemaId);
      throw new VigilError(
        'VIGIL_ERR_UNKNOWN_SCHEMA',
        `schema id ${frame.schemaId} on topic "${topic}" has not been looked up in the registry yet; the engine looks it up and retries the record`,
      );
    }
    const key = `${frame.schemaId}:${frame.messageIndexes.join('.')}`;
    let why = this.verdicts.get(key);
    if (!this.verdicts.has(key)) {
      const writerType = messageTypeAt(writer, frame.messageIndexes);
      why = writerType
        ? whyNotReadable(writerType, this.type)
        : `schema id ${frame.schemaId} has no message at index ${frame.messageIndexes.join('.')}`;
      this.verdicts.set(key, why);
    }
    if (why !== undefined) {
      throw new VigilError('VIGIL_ERR_SERDE', `record on topic "${topic}" (schema id ${frame.schemaId}) cannot be read as ${this.messageName}: ${why}`);
    }
    try {
      return this.type.toObject(this.type.decode(frame.payload), this.conversion) as T;
    } catch (cause) {
      throw new VigilError(
        'VIGIL_ERR_SERDE',
        `${frame.payload.length} payload bytes on topic "${topic}" are not a valid ${this.messageName}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
}

/**
 * A registry serde without the network: ids are given up front. For unit
 * tests and the test driver, and for tools that already know the ids.
 */
export function staticRegistrySerde<T>(options: StaticRegistrySerdeOptions): Serde<T> & { knownSchemaIds(): number[] } {
  const codec = new SyncCodec<T>(options);
  for (const [subject, ids] of options.schemaIds) {
    for (const id of ids) codec.addWriter(id, codec.parsed);
    const last = ids.at(-1);
    if (last !== undefined) codec.writerIds.set(subject, last);
  }
  return {
    serialize: (topic, data) => codec.serialize(topic, data),
    deserialize: (topic, data) => codec.deserialize(topic, data),
    knownSchemaIds: () => [...codec.writers.keys()],
  };
}

/**
 * A serde over the real registry at `options.url`.
 *
 * ```ts
 * const serde = registrySerde<Transaction>({ url, topics: ['transactions'], schema: vigilSchema().text, messageName: 'vigil.v1.Transaction' });
 * await serde.prepare();            // registers, loads the subjects' versions
 * serde.serialize('transactions', tx);
 * serde.close();                    // on shutdown
 * ```
 */
export function registrySerde<T>(options: RegistrySerdeOptions): RegistrySerde<T> {
  const subjects = [...new Set(options.topics.map(subjectOf))];
  const versionCache = new Map<string, Map<number, SubjectVersion>>(subjects.map((s) => [s, new Map()]));
  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const negativeCacheMs = options.negativeCacheMs ?? DEFAULT_NEGATIVE_CACHE_MS;
  const clock = options.clock ?? systemClock;
  /** Id → when its remembered failure expires. */
  const failedAt = new Map<number, number>();
  /** Single flight: concurrent callers for one id share this lookup. */
  const inFlight = new Map<number, Promise<boolean>>();
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  const learn = (id: number, text: string): void => {
    try {
      codec.addWriter(id, text === options.schema ? codec.parsed : parseProtobufSchema(text));
    } catch (cause) {
      codec.failures.set(
        id,
        new VigilError('VIGIL_ERR_REGISTRY', `the registry serves schema id ${id} neither as .proto text nor as a base64 FileDescriptorProto: ${(cause as Error).message}`, { cause }),
      );
      failedAt.set(id, clock.now());
    }
  };

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        for (const subject of subjects) {
          for (const v of await listSubjectVersions(options.url, subject, versionCache.get(subject))) {
            if (!codec.writers.has(v.id) && v.schema !== undefined) learn(v.id, v.schema);
          }
        }
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  /** Asks the registry for `id` until it answers or `lookupTimeoutMs` passes; records the outcome in the codec. */
  const lookup = async (id: number): Promise<boolean> => {
    // Real time, not the injected clock: this bounds real network waits (a
    // manual clock in a test would otherwise never end the retries).
    const deadline = Date.now() + lookupTimeoutMs;
    let pause = 100;
    for (;;) {
      const left = deadline - Date.now();
      try {
        const text = await fetchSchemaById(options.url, id, Math.max(100, Math.min(left, 5_000)));
        if (text === undefined) {
          codec.failures.set(
            id,
            new VigilError('VIGIL_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not registered in ${options.url}; was the record written against another registry?`),
          );
          failedAt.set(id, clock.now());
          return false;
        }
        learn(id, text);
        return codec.writers.has(id);
      } catch (error) {
        const retry = isVigilError(error) && error.canRetry && Date.now() + pause < deadline && !closed;
        if (!retry) {
          codec.failures.set(
            id,
            new VigilError('VIGIL_ERR_REGISTRY', `could not look up schema id ${id} within ${lookupTimeoutMs} ms: ${(error as Error).message}`, { cause: error }),
          );
          failedAt.set(id, clock.now());
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 1_000);
      }
    }
  };

  const resolveId = (id: number): Promise<boolean> => {
    if (codec.writers.has(id)) return Promise.resolve(true);
    const failed = failedAt.get(id);
    if (failed !== undefined && clock.now() - failed < negativeCacheMs) return Promise.resolve(false);
    let pending = inFlight.get(id);
    if (pending === undefined) {
      pending = lookup(id).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    return pending;
  };

  // A direct caller of deserialize (not the engine) also gets the id looked
  // up in the background, but a stream of garbage ids must not hammer the
  // registry that way: at most one such lookup per second.
  let cooling = false;
  const onUnknownId = (id: number) => {
    if (cooling || closed) return;
    cooling = true;
    setTimeout(() => (cooling = false), 1_000).unref();
    void resolveId(id);
  };
  const codec = new SyncCodec<T>(options, onUnknownId);

  return {
    serialize: (topic, data) => codec.serialize(topic, data),
    deserialize: (topic, data) => codec.deserialize(topic, data),
    async resolveMissing(_topic, data) {
      let id: number;
      try {
        id = decodeWireFormat(data).schemaId;
      } catch {
        return false; // not a frame: nothing to fetch
      }
      if (codec.writers.has(id)) return false; // known: the failure was elsewhere, a retry would fail the same way
      return resolveId(id);
    },
    async prepare() {
      for (const subject of subjects) {
        const id = await registerProtobufSchema(options.url, subject, options.schema);
        codec.writerIds.set(subject, id);
        codec.addWriter(id, codec.parsed);
      }
      await refresh();
      const interval = options.refreshIntervalMs ?? 0;
      if (interval > 0 && timer === undefined && !closed) {
        // A background refresh failing must not crash the process: the next tick retries.
        timer = setInterval(() => void refresh().catch(() => {}), interval);
        timer.unref(); // never keeps the process alive on its own
      }
    },
    refresh,
    close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    writerSchemaId: (topic) => codec.writerIds.get(subjectOf(topic)),
    knownSchemaIds: () => [...codec.writers.keys()],
  };
}
