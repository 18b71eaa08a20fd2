/**
 * The `fraud-card` store's value encoding: a compact binary layout, not
 * JSON. A card's entry is read on every one of its transactions that the
 * processor's own cache misses, and written once per card per commit, so
 * both directions are plain loops over a Buffer: float64s for every number
 * (amounts and the Welford statistics must round-trip bit for bit, or the
 * features would move), varints for counts, length-prefixed UTF-8 for ids.
 *
 * Layout (version 1):
 *   u8 version
 *   u8 hasState; state: varint count, f64 meanAmount, m2Amount, totalAmount,
 *      firstEventMs, lastEventMs, lastPositionMs, lastLatitude, lastLongitude, str lastRegion,
 *      strs devices, strs merchants, strs categories
 *   varint n; n × recent: f64 eventTimeMs, f64 amount, str merchantId,
 *      str category, str region, u8 newMerchant
 *   varint n; n × seen: str transactionId, f64 eventTimeMs, f64 amountMinor,
 *      u8 hasAt [str topic, varint partition, f64 offset]
 *
 * A value of another version is refused with VIGIL_ERR_FRAUD_STATE_LAYOUT
 * rather than misread.
 */
import type { Serde } from '../../streams/index.js';
import { FraudError } from '../errors.js';
import type { CardState } from './card-state.js';
import type { CardRecord, SeenTransaction } from './card-record.js';
import type { RecentTransaction } from './recent-activity.js';

const VERSION = 1;

class Writer {
  private buf = Buffer.allocUnsafe(512);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  varint(v: number): void {
    this.room(5);
    let n = v >>> 0;
    while (n >= 0x80) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.at++] = n;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }

  str(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room(5 + s.length * 3);
    const lengthAt = this.at;
    const written = this.buf.write(s, lengthAt + 1, 'utf8');
    if (written < 0x80) {
      this.buf[lengthAt] = written;
      this.at = lengthAt + 1 + written;
      return;
    }
    // Rare (ids are short): a longer string needs a wider length prefix, so encode it apart.
    const bytes = Buffer.from(s, 'utf8');
    this.varint(bytes.length);
    this.room(bytes.length);
    bytes.copy(this.buf, this.at);
    this.at += bytes.length;
  }

  strs(items: readonly string[]): void {
    this.varint(items.length);
    for (const s of items) this.str(s);
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  u8(): number {
    if (this.at >= this.buf.length) throw truncated();
    return this.buf[this.at++] as number;
  }

  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.u8();
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    throw truncated();
  }

  f64(): number {
    if (this.at + 8 > this.buf.length) throw truncated();
    const v = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  str(): string {
    const n = this.varint();
    if (this.at + n > this.buf.length) throw truncated();
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  strs(): string[] {
    const n = this.varint();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.str();
    return out;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }
}

function truncated(): FraudError {
  return new FraudError('VIGIL_ERR_FRAUD_STATE_LAYOUT', 'a fraud-card store value ends early; the state is damaged: delete the local state directory to restore it from the changelog');
}

export function encodeCardRecord(record: CardRecord): Buffer {
  const w = new Writer();
  w.u8(VERSION);
  const s = record.state;
  w.u8(s === undefined ? 0 : 1);
  if (s !== undefined) {
    w.varint(s.count);
    w.f64(s.meanAmount);
    w.f64(s.m2Amount);
    w.f64(s.totalAmount);
    w.f64(s.firstEventMs);
    w.f64(s.lastEventMs);
    w.f64(s.lastPositionMs);
    w.f64(s.lastLatitude);
    w.f64(s.lastLongitude);
    w.str(s.lastRegion);
    w.strs(s.devices);
    w.strs(s.merchants);
    w.strs(s.categories);
  }
  w.varint(record.recent.length);
  for (const r of record.recent) {
    w.f64(r.eventTimeMs);
    w.f64(r.amount);
    w.str(r.merchantId);
    w.str(r.category);
    w.str(r.region);
    w.u8(r.newMerchant ? 1 : 0);
  }
  w.varint(record.seen.length);
  for (const e of record.seen) {
    w.str(e.transactionId);
    w.f64(e.eventTimeMs);
    w.f64(e.amountMinor);
    w.u8(e.at === null ? 0 : 1);
    if (e.at !== null) {
      w.str(e.at.topic);
      w.varint(e.at.partition);
      w.f64(e.at.offset);
    }
  }
  return w.done();
}

export function decodeCardRecord(bytes: Buffer): CardRecord {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== VERSION) {
    throw new FraudError(
      'VIGIL_ERR_FRAUD_STATE_LAYOUT',
      `a fraud-card store value has layout version ${version}, this engine reads ${VERSION}; run the engine version that wrote it, or rebuild the state (docs/fraud.md, "State layout")`,
    );
  }
  let state: CardState | undefined;
  if (r.u8() === 1) {
    state = {
      count: r.varint(),
      meanAmount: r.f64(),
      m2Amount: r.f64(),
      totalAmount: r.f64(),
      firstEventMs: r.f64(),
      lastEventMs: r.f64(),
      lastPositionMs: r.f64(),
      lastLatitude: r.f64(),
      lastLongitude: r.f64(),
      lastRegion: r.str(),
      devices: r.strs(),
      merchants: r.strs(),
      categories: r.strs(),
    };
  }
  const recent = new Array<RecentTransaction>(r.varint());
  for (let i = 0; i < recent.length; i++) {
    recent[i] = { eventTimeMs: r.f64(), amount: r.f64(), merchantId: r.str(), category: r.str(), region: r.str(), newMerchant: r.u8() === 1 };
  }
  const seen = new Array<SeenTransaction>(r.varint());
  for (let i = 0; i < seen.length; i++) {
    const transactionId = r.str();
    const eventTimeMs = r.f64();
    const amountMinor = r.f64();
    const at = r.u8() === 1 ? { topic: r.str(), partition: r.varint(), offset: r.f64() } : null;
    seen[i] = { transactionId, eventTimeMs, amountMinor, at };
  }
  if (r.remaining !== 0) throw truncated();
  return { state, recent, seen };
}

/** The store's value serde (null stays null: a deleted card). */
export const cardRecordSerde: Serde<CardRecord> = {
  serialize: (_topic, record) => (record === null ? null : encodeCardRecord(record)),
  deserialize: (_topic, bytes) => (bytes === null ? null : decodeCardRecord(bytes)),
};
