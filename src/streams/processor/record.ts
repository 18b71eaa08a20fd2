/** Record headers: ordered by insertion, values are raw bytes. */
export type Headers = ReadonlyMap<string, Buffer>;

/**
 * An immutable record flowing through a topology. `with*` methods return a
 * copy, so a processor can never change what a sibling sees.
 */
export class Record<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
    /** Event time in epoch milliseconds. */
    readonly timestamp: number,
    readonly headers: Headers = EMPTY_HEADERS,
  ) {}

  withKey<K2>(key: K2): Record<K2, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  withValue<V2>(value: V2): Record<K, V2> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}

export const EMPTY_HEADERS: Headers = new Map();
