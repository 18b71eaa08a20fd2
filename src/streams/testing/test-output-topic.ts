import { VigilError } from '../errors.js';
import type { ProducedRecord } from '../processor/internal/record-collector.js';
import type { Deserializer } from '../serde/serde.js';
import type { KeyValue } from '../state/types.js';
import type { OutputRecord } from './test-record.js';

/**
 * Reads what the topology produced to one topic, oldest first. Reading
 * consumes: two output topics on the same name share one queue, as in
 * Kafka Streams' TestOutputTopic.
 */
export class TestOutputTopic<K, V> {
  constructor(
    private readonly queue: ProducedRecord[],
    readonly topic: string,
    private readonly keyDeserializer: Deserializer<K>,
    private readonly valueDeserializer: Deserializer<V>,
  ) {}

  readRecord(): OutputRecord<K | null, V | null> {
    const r = this.queue.shift();
    if (!r) throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `no more records in output topic "${this.topic}"; check isEmpty() first`);
    return {
      topic: r.topic,
      key: this.keyDeserializer.deserialize(r.topic, r.key),
      value: this.valueDeserializer.deserialize(r.topic, r.value),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readRecordsToList(): Array<OutputRecord<K | null, V | null>> {
    const out = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): Array<KeyValue<K | null, V | null>> {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  readValuesToList(): Array<V | null> {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** The latest value per key, as a table would hold it (null values delete). */
  readKeyValuesToMap(): Map<K | null, V | null> {
    const map = new Map<K | null, V | null>();
    for (const { key, value } of this.readRecordsToList()) {
      if (value === null) map.delete(key);
      else map.set(key, value);
    }
    return map;
  }

  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  getQueueSize(): number {
    return this.queue.length;
  }
}
