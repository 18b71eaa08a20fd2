import type { Logger } from '../log.js';
import { registrySerde, type RegistrySerde } from '../registry/registry-serde.js';
import { connectAdmin, connectProducer, type KafkaConnectionOptions, type KafkaProducer } from '../streams/kafka/index.js';
import { FeedbackError } from './errors.js';
import { readTopicToEnd } from './read-topic.js';
import { ALERT_FEEDBACK_MESSAGE, FEEDBACK_TOPICS, feedbackSchemaText, type AlertFeedback } from './schema.js';

/** Where verdicts go. The dashboard records a verdict only after `write` resolved. */
export interface FeedbackSink {
  write(feedback: AlertFeedback): Promise<void>;
  /** Verdicts already on the topic when the sink started (latest per transaction), so a restarted dashboard keeps its counts. */
  existing?(): readonly AlertFeedback[];
  close(): Promise<void>;
}

export interface KafkaFeedbackSinkOptions {
  connection: KafkaConnectionOptions;
  /** Confluent-compatible registry URL, e.g. `http://127.0.0.1:18081/apis/ccompat/v7`. */
  registryUrl: string;
  /** Default `alert-feedback`. */
  topic?: string;
  /** Created when missing; default 3. */
  partitions?: number;
  replicationFactor?: number;
  log: Logger;
}

/**
 * Writes `AlertFeedback` records, registry-framed Protobuf keyed by
 * transaction id, to the compacted `alert-feedback` topic: compaction keeps
 * the latest verdict per transaction, which is what "a second verdict
 * replaces the first" means for every later reader (training included).
 * The producer is idempotent with acks=all, so a retried send neither loses
 * nor doubles a verdict.
 */
export class KafkaFeedbackSink implements FeedbackSink {
  private constructor(
    private readonly producer: KafkaProducer,
    private readonly serde: RegistrySerde<AlertFeedback>,
    readonly topic: string,
    private readonly log: Logger,
    private readonly loaded: readonly AlertFeedback[],
  ) {}

  existing(): readonly AlertFeedback[] {
    return this.loaded;
  }

  static async start(o: KafkaFeedbackSinkOptions): Promise<KafkaFeedbackSink> {
    const topic = o.topic ?? FEEDBACK_TOPICS.alertFeedback;
    const admin = await connectAdmin(o.connection);
    try {
      await admin.createTopics([
        { topic, partitions: o.partitions ?? 3, replicationFactor: o.replicationFactor ?? 1, config: { 'cleanup.policy': 'compact' } },
      ]);
    } finally {
      await admin.close();
    }
    const serde = registrySerde<AlertFeedback>({ url: o.registryUrl, topics: [topic], schema: feedbackSchemaText(), messageName: ALERT_FEEDBACK_MESSAGE });
    try {
      await serde.prepare();
    } catch (err) {
      serde.close();
      throw err;
    }
    const latest = new Map<string, AlertFeedback>();
    try {
      for (const r of await readTopicToEnd(o.connection, topic)) {
        const key = r.key?.toString();
        if (!key) continue;
        const value = r.value === null ? null : serde.deserialize(topic, r.value);
        latest.delete(key); // keeps "last decided last"
        if (value) latest.set(key, value);
      }
    } catch (err) {
      serde.close();
      throw err;
    }
    const producer = await connectProducer(o.connection, { idempotent: true, acks: -1 });
    return new KafkaFeedbackSink(producer, serde, topic, o.log, [...latest.values()]);
  }

  async write(feedback: AlertFeedback): Promise<void> {
    let value: Buffer | null;
    try {
      value = this.serde.serialize(this.topic, feedback);
    } catch (err) {
      throw new FeedbackError('VIGIL_ERR_FEEDBACK_WRITE', `the verdict for ${feedback.transaction_id} does not fit AlertFeedback`, { cause: err });
    }
    try {
      await this.producer.send([{ topic: this.topic, key: feedback.transaction_id, value, timestamp: feedback.decided_at_ms }]);
    } catch (err) {
      this.log.error({ err, code: 'VIGIL_ERR_FEEDBACK_WRITE', topic: this.topic }, 'could not write a verdict');
      throw new FeedbackError('VIGIL_ERR_FEEDBACK_WRITE', `could not write the verdict to ${this.topic}; check the broker, then retry`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.serde.close();
    await this.producer.close();
  }
}
