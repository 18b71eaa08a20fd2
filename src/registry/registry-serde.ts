/**
 * A registry-backed Protobuf Serde that fits the engine's synchronous Serde
 * interface. The registry is only talked to outside the record path:
 *
 * - `await prepare()` registers the local schema under each topic's
 *   `<topic>-value` subject (or finds it) and loads every schema id the
 *   subject has; from then on `serialize` and `deserialize` are synchronous.
 * - `serialize` encodes with the local protobufjs type and frames the bytes
 *   with the id registered for the topic's subject and the message index.
 * - `deserialize` accepts any id known for one of the serde's subjects and
 *   decodes with the local type chosen by the frame's message index. Protobuf
 *   lets old readers skip new fields, so a newer *compatible* version decodes.
 *
 * **The refresh window.** Ids registered after `prepare()` (a producer
 * rolling out a new version) are learned by a background refresh of the
 * subjects' versions every `refreshIntervalMs` (default 5 s), and at once
 * after a record with an unknown id is seen. Records that carry the new id
 * and arrive before the refresh completes fail with VIGIL_ERR_UNKNOWN_SCHEMA
 * and go wherever the deserialization handler sends them (the DLQ). Register
 * new versions, wait one interval, then produce with them, to lose nothing.
 *
 * Errors, all VigilErrors so the engine's handler can route them:
 * VIGIL_ERR_WIRE_FORMAT (bad magic byte, truncated frame),
 * VIGIL_ERR_UNKNOWN_SCHEMA (id not known for the serde's subjects),
 * VIGIL_ERR_SERDE (payload not a valid message, wrong message type, or a
 * value that does not fit the type on serialize).
 */
import type protobuf from 'protobufjs';
import { VigilError } from '../streams/errors.js';
import type { Serde } from '../streams/serde/serde.js';
import { decodeWireFormat, encodeWireFormat } from '../streams/serde/wire-format.js';
import {
  listSubjectSchemaIds,
  messageIndexesOf,
  messageTypeAt,
  parseProtobufSchema,
  registerProtobufSchema,
  type ParsedProtobufSchema,
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
  /** How often known ids are refreshed in the background; default 5000 ms; 0 disables. */
  refreshIntervalMs?: number;
}

export interface StaticRegistrySerdeOptions extends RegistrySerdeBase {
  /**
   * Subject → the ids registered under it, oldest first. `serialize` writes
   * the last id of the topic's subject, as if `prepare()` had registered it.
   */
  schemaIds: ReadonlyMap<string, readonly number[]>;
}

/** A Serde whose ids come from the registry; call `prepare()` before use and `close()` after. */
export interface RegistrySerde<T> extends Serde<T> {
  /** Registers the schema and loads known ids; resolves when serialize/deserialize are usable. */
  prepare(): Promise<void>;
  /** Re-reads the subjects' ids now (also done in the background). */
  refresh(): Promise<void>;
  /** Stops the background refresh. */
  close(): void;
  /** The id `serialize` writes for `topic`, once prepared. */
  writerSchemaId(topic: string): number | undefined;
  /** Every id this serde will decode. */
  knownSchemaIds(): number[];
}

const DEFAULT_CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };
const DEFAULT_REFRESH_MS = 5_000;

export function subjectOf(topic: string): string {
  return `${topic}-value`;
}

/** What both variants share: ids per subject and the synchronous codec. */
class SyncCodec<T> implements Serde<T> {
  readonly writerIds = new Map<string, number>();
  readonly idsBySubject = new Map<string, Set<number>>();
  private readonly parsed: ParsedProtobufSchema;
  private readonly type: protobuf.Type;
  private readonly indexes: number[];
  private readonly indexKey: string;
  private readonly conversion: protobuf.IConversionOptions;

  constructor(
    options: RegistrySerdeBase,
    private readonly onUnknownId: (id: number) => void = () => {},
  ) {
    this.parsed = parseProtobufSchema(options.schema);
    this.type = this.parsed.root.lookupType(options.messageName);
    this.indexes = messageIndexesOf(this.parsed, options.messageName);
    this.indexKey = this.indexes.join('.');
    this.conversion = options.conversion ?? DEFAULT_CONVERSION;
  }

  get messageName(): string {
    return this.type.fullName.slice(1);
  }

  isKnown(id: number): boolean {
    for (const ids of this.idsBySubject.values()) if (ids.has(id)) return true;
    return false;
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
    if (!this.isKnown(frame.schemaId)) {
      this.onUnknownId(frame.schemaId);
      throw new VigilError(
        'VIGIL_ERR_UNKNOWN_SCHEMA',
        `schema id ${frame.schemaId} on topic "${topic}" is not registered under ${[...this.idsBySubject.keys()].join(', ') || 'any subject this serde reads'}; ` +
          'if a producer just registered a new version, it is picked up within the refresh interval',
      );
    }
    const key = frame.messageIndexes.join('.');
    if (key !== this.indexKey) {
      const other = messageTypeAt(this.parsed, frame.messageIndexes);
      throw new VigilError(
        'VIGIL_ERR_SERDE',
        `record on topic "${topic}" holds ${other ? other.fullName.slice(1) : `message index ${key}`}, expected ${this.messageName}`,
      );
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
    codec.idsBySubject.set(subject, new Set(ids));
    const last = ids.at(-1);
    if (last !== undefined) codec.writerIds.set(subject, last);
  }
  return {
    serialize: (topic, data) => codec.serialize(topic, data),
    deserialize: (topic, data) => codec.deserialize(topic, data),
    knownSchemaIds: () => [...new Set([...codec.idsBySubject.values()].flatMap((s) => [...s]))],
  };
}

/**
 * A serde over the real registry at `options.url`.
 *
 * ```ts
 * const serde = registrySerde<Transaction>({ url, topics: ['transactions'], schema: vigilSchema().text, messageName: 'vigil.v1.Transaction' });
 * await serde.prepare();            // registers, loads ids, starts the refresh
 * serde.serialize('transactions', tx);
 * serde.close();                    // on shutdown
 * ```
 */
export function registrySerde<T>(options: RegistrySerdeOptions): RegistrySerde<T> {
  const subjects = [...new Set(options.topics.map(subjectOf))];
  const versionCache = new Map<string, Map<number, number>>(subjects.map((s) => [s, new Map()]));
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        for (const subject of subjects) {
          const ids = await listSubjectSchemaIds(options.url, subject, versionCache.get(subject));
          const known = codec.idsBySubject.get(subject) ?? new Set<number>();
          for (const id of ids) known.add(id);
          codec.idsBySubject.set(subject, known);
        }
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  // A background refresh failing must not crash the process: the next tick retries.
  const refreshQuietly = () => {
    if (!closed) refresh().catch(() => {});
  };
  // An unknown id triggers a refresh at once, but a stream of garbage ids
  // must not hammer the registry: at most one such refresh per second.
  let cooling = false;
  const onUnknownId = () => {
    if (cooling) return;
    cooling = true;
    setTimeout(() => (cooling = false), 1_000).unref();
    refreshQuietly();
  };
  const codec = new SyncCodec<T>(options, onUnknownId);

  return {
    serialize: (topic, data) => codec.serialize(topic, data),
    deserialize: (topic, data) => codec.deserialize(topic, data),
    async prepare() {
      for (const subject of subjects) {
        const id = await registerProtobufSchema(options.url, subject, options.schema);
        codec.writerIds.set(subject, id);
        const known = codec.idsBySubject.get(subject) ?? new Set<number>();
        known.add(id);
        codec.idsBySubject.set(subject, known);
      }
      await refresh();
      const interval = options.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
      if (interval > 0 && timer === undefined && !closed) {
        timer = setInterval(refreshQuietly, interval);
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
    knownSchemaIds: () => [...new Set([...codec.idsBySubject.values()].flatMap((s) => [...s]))],
  };
}
