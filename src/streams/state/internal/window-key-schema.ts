/**
 * Composite keys of window and session stores, in Kafka Streams' layouts:
 *
 * - window: key bytes + window start (8 bytes, big-endian)
 *   [+ sequence number (4 bytes) when the store retains duplicates]
 * - session: key bytes + session end (8) + session start (8)
 *
 * Key-first, so one key's windows are contiguous and ordered by time, and
 * "key k between t1 and t2" is the range [k + t1, k + t2]. Keys have
 * variable length, so that range can also hold a longer key that happens
 * to start with k's bytes; an entry belongs to k exactly when its length is
 * k's length plus the suffix (both bounds share k as prefix and have that
 * length, so an entry of that length between them must start with k).
 */
import { TIMESTAMP_SIZE, readTimestamp, writeTimestamp } from './bytes.js';

const SEQUENCE_SIZE = 4;

export class WindowKeySchema {
  /** Bytes after the record key: start, plus the sequence number when retaining duplicates. */
  readonly suffixSize: number;

  constructor(readonly retainDuplicates: boolean) {
    this.suffixSize = TIMESTAMP_SIZE + (retainDuplicates ? SEQUENCE_SIZE : 0);
  }

  toComposite(key: Buffer, windowStart: number, sequence = 0): Buffer {
    const out = Buffer.allocUnsafe(key.length + this.suffixSize);
    key.copy(out, 0);
    writeTimestamp(out, key.length, windowStart);
    if (this.retainDuplicates) out.writeUInt32BE(sequence >>> 0, key.length + TIMESTAMP_SIZE);
    return out;
  }

  /** Smallest composite key for `key` at `windowStart`. */
  lowerBound(key: Buffer, windowStart: number): Buffer {
    return this.toComposite(key, windowStart, 0);
  }

  /** Largest composite key for `key` at `windowStart`. */
  upperBound(key: Buffer, windowStart: number): Buffer {
    return this.toComposite(key, windowStart, 0xffffffff);
  }

  keyOf(composite: Buffer): Buffer {
    return composite.subarray(0, composite.length - this.suffixSize);
  }

  startOf(composite: Buffer): number {
    return readTimestamp(composite, composite.length - this.suffixSize);
  }

  belongsTo(composite: Buffer, key: Buffer): boolean {
    return composite.length === key.length + this.suffixSize;
  }
}

export const SESSION_SUFFIX_SIZE = 2 * TIMESTAMP_SIZE;

export const SessionKeySchema = {
  toComposite(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + SESSION_SUFFIX_SIZE);
    key.copy(out, 0);
    writeTimestamp(out, key.length, end);
    writeTimestamp(out, key.length + TIMESTAMP_SIZE, start);
    return out;
  },
  keyOf(composite: Buffer): Buffer {
    return composite.subarray(0, composite.length - SESSION_SUFFIX_SIZE);
  },
  endOf(composite: Buffer): number {
    return readTimestamp(composite, composite.length - SESSION_SUFFIX_SIZE);
  },
  startOf(composite: Buffer): number {
    return readTimestamp(composite, composite.length - TIMESTAMP_SIZE);
  },
  belongsTo(composite: Buffer, key: Buffer): boolean {
    return composite.length === key.length + SESSION_SUFFIX_SIZE;
  },
};
