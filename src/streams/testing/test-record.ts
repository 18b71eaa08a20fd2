import type { Headers } from '../processor/record.js';

/** A record read from or piped into a test topic. */
export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch ms; piping without one uses the input topic's clock. */
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/** A record as an output topic returns it: every field present. */
export interface OutputRecord<K, V> extends TestRecord<K, V> {
  readonly topic: string;
  readonly timestamp: number;
  readonly headers: Headers;
}
