/**
 * kafkajs' Produce request encoder (v3, which v4–v7 reuse), rewritten to
 * write a request's uncompressed record batches into one buffer in two
 * passes: sizes first, then bytes. kafkajs 2.2.4 builds an `Encoder` per
 * record (growing buffers, a `Buffer.from([...])` per varint, 64-bit
 * varints through a BigInt wrapper) and copies each into the batch; its
 * produce encoding was the largest single entry of the exactly-once runtime
 * profile (13 % self, plus copies and garbage).
 *
 * The output is byte for byte what kafkajs writes
 * (test/streams/kafka/produce-encoder.test.ts compares them on random
 * requests), including its quirks: the batch's first and max timestamps
 * come from a default (string-order) sort of the messages' timestamps, and
 * a message without a timestamp (or with 0) is stamped "now". Requests it
 * does not handle exactly (compression, timestamps of different digit
 * counts, where string order and number order differ) go to kafkajs' own
 * encoder. kafkajs-fixes.ts installs it.
 */
import { createRequire } from 'node:module';
import { systemClock } from '../time/clock.js';
import type { Clock } from '../time/clock.js';

const require = createRequire(import.meta.url);

/** kafkajs' crc32c of a buffer, unsigned. */
type Crc32c = (buffer: Buffer) => number;
interface LongLike {
  getHighBits(): number;
  getLowBits(): number;
}
type LongFactory = { fromValue(value: unknown): LongLike };

interface ProduceMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: string | number;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: ProduceMessage[];
}
export interface ProduceRequestArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: Array<{ topic: string; partitions: PartitionData[] }>;
}
interface EncodedPayload {
  readonly buf: Buffer;
  readonly offset: number;
  readonly buffer: Buffer;
  size(): number;
}
export type ProduceRequestFactory = (args: ProduceRequestArgs) => {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse: () => boolean;
  encode: () => Promise<EncodedPayload>;
};

const TRANSACTIONAL = 16;
const MAGIC = 2;

function varIntSize(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    bytes++;
    v >>>= 7;
  }
  return bytes;
}

/** Zigzag of a safe integer as a non-negative number (kafkajs' 64-bit varlong). */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function varLongSize(value: number): number {
  let v = zigzag64(value);
  let bytes = 1;
  while (v >= 0x80) {
    bytes++;
    v = Math.floor(v / 128);
  }
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value == null) return -1;
  return Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value));
}

function bytesSize(length: number): number {
  return length < 0 ? 1 : varIntSize(length) + length;
}

interface Header {
  key: string;
  value: Buffer | string;
}

function headersOf(message: ProduceMessage): Header[] | undefined {
  const headers = message.headers;
  if (headers === undefined) return undefined;
  let list: Header[] | undefined;
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    list ??= [];
    if (Array.isArray(v)) for (const one of v) list.push({ key, value: one });
    else list.push({ key, value: v as Buffer | string });
  }
  return list;
}

class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  int8(v: number): void {
    this.buf.writeInt8(v, this.offset);
    this.offset += 1;
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
  }
  int64(v: LongLike): void {
    this.buf.writeInt32BE(v.getHighBits(), this.offset);
    this.buf.writeInt32BE(v.getLowBits(), this.offset + 4);
    this.offset += 8;
  }
  uvarint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.offset++] = v;
  }
  varint(value: number): void {
    this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }
  varlong(value: number): void {
    this.uvarint(zigzag64(value));
  }
  string(value: string | null | undefined): void {
    if (value == null) return this.int16(-1);
    const n = Buffer.byteLength(value);
    this.int16(n);
    this.offset += this.buf.write(value, this.offset, n, 'utf8');
  }
  /** Varint length and bytes; `length` from {@link byteLength}. */
  bytes(value: Buffer | string | null | undefined, length: number): void {
    this.varint(length);
    if (length <= 0 || value == null) return;
    if (Buffer.isBuffer(value)) {
      value.copy(this.buf, this.offset);
      this.offset += length;
    } else {
      this.offset += this.buf.write(String(value), this.offset, length, 'utf8');
    }
  }
}

/** One partition's batch, sized in the first pass. */
interface Planned {
  readonly data: PartitionData;
  readonly first: number;
  readonly max: number;
  readonly now: number;
  /** Per record, RECORD_FIELDS numbers: body size, timestamp delta, key and value byte lengths. */
  readonly sizes: number[];
  readonly headers: Array<Header[] | undefined>;
  readonly recordsSize: number;
}

const RECORD_FIELDS = 4;

/** The batch's timestamps as kafkajs derives them, or undefined when only its own sort gives them exactly. */
function plan(data: PartitionData, now: number): Planned | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const m of data.messages) {
    if (m.timestamp == null) continue;
    const t = typeof m.timestamp === 'number' ? m.timestamp : Number(m.timestamp);
    if (!Number.isSafeInteger(t) || t < 0 || (typeof m.timestamp === 'string' && String(t) !== m.timestamp)) return undefined;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (min === Infinity) min = max = now;
  else if (String(min).length !== String(max).length) return undefined; // string order ≠ number order
  const sizes: number[] = [];
  const headers: Array<Header[] | undefined> = [];
  let recordsSize = 0;
  for (let i = 0; i < data.messages.length; i++) {
    const m = data.messages[i] as ProduceMessage;
    const t = m.timestamp == null || m.timestamp === 0 || m.timestamp === '' ? now : Number(m.timestamp);
    const delta = t - min;
    const hs = headersOf(m);
    let headersSize = varIntSize(hs?.length ?? 0);
    if (hs) for (const h of hs) headersSize += bytesSize(Buffer.byteLength(h.key)) + bytesSize(byteLength(h.value));
    const keyLength = byteLength(m.key);
    const valueLength = byteLength(m.value);
    const body = 1 + varLongSize(delta) + varIntSize(i) + bytesSize(keyLength) + bytesSize(valueLength) + headersSize;
    sizes.push(body, delta, keyLength, valueLength);
    headers.push(hs);
    recordsSize += varIntSize(body) + body;
  }
  return { data, first: min, max, now, sizes, headers, recordsSize };
}

/** Bytes of a batch's header from the attributes on (the CRC's range), before the records. */
const BODY_HEAD = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

function writePartition(w: Writer, p: Planned, args: ProduceRequestArgs, Long: LongFactory, crc32c: Crc32c): void {
  const { data } = p;
  const bodySize = BODY_HEAD + p.recordsSize;
  const batchSize = 4 + 1 + 4 + bodySize;
  w.int32(data.partition);
  w.int32(8 + 4 + batchSize);
  w.int64(Long.fromValue(0));
  w.int32(batchSize);
  w.int32(0); // partition leader epoch
  w.int8(MAGIC);
  const crcAt = w.offset;
  w.offset += 4;
  const bodyAt = w.offset;
  w.int16(args.transactionalId ? TRANSACTIONAL : 0);
  w.int32(data.messages.length - 1);
  w.int64(Long.fromValue(p.first));
  w.int64(Long.fromValue(p.max));
  w.int64(Long.fromValue(args.producerId ?? -1));
  w.int16(args.producerEpoch ?? 0);
  w.int32(data.firstSequence ?? 0);
  w.int32(data.messages.length);
  for (let i = 0; i < data.messages.length; i++) {
    const m = data.messages[i] as ProduceMessage;
    const at = RECORD_FIELDS * i;
    w.varint(p.sizes[at] as number);
    w.int8(0);
    w.varlong(p.sizes[at + 1] as number);
    w.varint(i);
    w.bytes(m.key, p.sizes[at + 2] as number);
    w.bytes(m.value, p.sizes[at + 3] as number);
    const hs = p.headers[i];
    w.varint(hs?.length ?? 0);
    if (hs) {
      for (const h of hs) {
        w.bytes(h.key, Buffer.byteLength(h.key));
        w.bytes(h.value, byteLength(h.value));
      }
    }
  }
  w.buf.writeUInt32BE(crc32c(w.buf.subarray(bodyAt, w.offset)), crcAt);
}

const stringSize = (s: string | null | undefined): number => 2 + (s == null ? 0 : Buffer.byteLength(s));

/** Encodes the whole request, or returns undefined when kafkajs' encoder must do it. */
export function encodeProduceRequest(args: ProduceRequestArgs, now: number, Long: LongFactory, crc32c: Crc32c): EncodedPayload | undefined {
  if ((args.compression ?? 0) !== 0) return undefined;
  const planned: Planned[][] = [];
  let size = stringSize(args.transactionalId) + 2 + 4 + 4;
  for (const t of args.topicData) {
    const ps: Planned[] = [];
    size += stringSize(t.topic) + 4;
    for (const data of t.partitions) {
      const p = plan(data, now);
      if (p === undefined) return undefined;
      ps.push(p);
      size += 4 + 4 + 8 + 4 + 4 + 1 + 4 + BODY_HEAD + p.recordsSize;
    }
    planned.push(ps);
  }
  const w = new Writer(Buffer.allocUnsafe(size));
  w.string(args.transactionalId);
  w.int16(args.acks);
  w.int32(args.timeout);
  w.int32(args.topicData.length);
  args.topicData.forEach((t, ti) => {
    w.string(t.topic);
    w.int32(t.partitions.length);
    for (const p of planned[ti] as Planned[]) writePartition(w, p, args, Long, crc32c);
  });
  if (w.offset !== size) throw new Error(`produce encoder: wrote ${w.offset} bytes, planned ${size}`);
  const buf = w.buf;
  return { buf, offset: size, buffer: buf, size: () => size };
}

/**
 * kafkajs' v3 request factory with the encoder above in front of its own.
 * `clock` stamps records without a timestamp, as kafkajs does with the wall clock.
 */
export function fastProduceRequest(original: ProduceRequestFactory, clock: Clock = systemClock): ProduceRequestFactory {
  const Long = require('kafkajs/src/utils/long.js') as LongFactory;
  const crc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as Crc32c;
  return (args) => {
    const request = original(args);
    const encodeOriginal = request.encode;
    return { ...request, encode: async () => encodeProduceRequest(args, clock.now(), Long, crc32c) ?? encodeOriginal() };
  };
}
