import { EMPTY_HEADERS } from '../processor/record.js';
import type { Serializer } from '../serde/serde.js';
import type { KeyValue } from '../state/types.js';
import type { TestRecord } from './test-record.js';

/** What an input topic needs from its driver. */
export interface InputPipe {
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: TestRecord<unknown, unknown>['headers']): Promise<void>;
}

/**
 * Pipes records into one topic of a TopologyTestDriver. Every pipe call
 * resolves after the record went through the whole topology (repartition
 * topics included) and the driver committed. Records without a timestamp
 * get the topic's own time, which starts at `startTimestampMs` and moves by
 * `autoAdvanceMs` after each record.
 */
export class TestInputTopic<K, V> {
  private currentTimeMs: number;

  constructor(
    private readonly driver: InputPipe,
    readonly topic: string,
    private readonly keySerializer: Serializer<K>,
    private readonly valueSerializer: Serializer<V>,
    startTimestampMs: number,
    private readonly autoAdvanceMs: number,
  ) {
    this.currentTimeMs = startTimestampMs;
  }

  pipeInput(key: K, value: V, timestampMs?: number): Promise<void> {
    return this.pipeRecord({ key, value, ...(timestampMs === undefined ? {} : { timestamp: timestampMs }) });
  }

  async pipeRecord(record: TestRecord<K, V>): Promise<void> {
    const timestamp = record.timestamp ?? this.nextTime();
    await this.driver.pipeRaw(
      this.topic,
      this.keySerializer.serialize(this.topic, record.key),
      this.valueSerializer.serialize(this.topic, record.value),
      timestamp,
      record.headers ?? EMPTY_HEADERS,
    );
  }

  /** Pipes each pair in order, with the topic's auto-advancing time. */
  async pipeKeyValueList(pairs: ReadonlyArray<KeyValue<K, V>>): Promise<void> {
    for (const { key, value } of pairs) await this.pipeRecord({ key, value });
  }

  async pipeRecordList(records: ReadonlyArray<TestRecord<K, V>>): Promise<void> {
    for (const r of records) await this.pipeRecord(r);
  }

  /** Moves this topic's time (for records piped without a timestamp). */
  advanceTime(ms: number): void {
    if (ms < 0) throw new RangeError('input topic time cannot go backwards');
    this.currentTimeMs += ms;
  }

  private nextTime(): number {
    const t = this.currentTimeMs;
    this.currentTimeMs += this.autoAdvanceMs;
    return t;
  }
}
