/**
 * Follows the label topics (`chargebacks`, `alert-feedback`) from their
 * beginning for as long as the engine runs, and hands every label to a
 * ShadowOutcomes: the engine's live view of how its models do on the
 * transactions that received labels. A throwaway consumer group that never
 * commits: each start reads the compacted topics again. An unreadable record
 * is skipped with a log line; it does not stop the engine.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import { registrySerde, type RegistrySerde } from '../registry/registry-serde.js';
import { connectAdmin, connectConsumer, type KafkaConnectionOptions, type KafkaConsumer } from '../streams/kafka/index.js';
import { ALERT_FEEDBACK_MESSAGE, CHARGEBACK_MESSAGE, FEEDBACK_TOPICS, feedbackSchemaText, type AlertFeedback, type Chargeback } from './schema.js';
import type { ShadowOutcomes } from './shadow-outcomes.js';

export interface LabelFollowerOptions {
  readonly connection: KafkaConnectionOptions;
  readonly registryUrl: string;
  readonly outcomes: ShadowOutcomes;
  readonly log: Logger;
  readonly topics?: { readonly alertFeedback: string; readonly chargebacks: string };
}

export class LabelFollower {
  private constructor(
    private readonly consumer: KafkaConsumer,
    private readonly serdes: ReadonlyArray<RegistrySerde<unknown>>,
  ) {}

  static async start(o: LabelFollowerOptions): Promise<LabelFollower> {
    const topics = o.topics ?? FEEDBACK_TOPICS;
    const verdicts = registrySerde<AlertFeedback>({ url: o.registryUrl, topics: [topics.alertFeedback], schema: feedbackSchemaText(), messageName: ALERT_FEEDBACK_MESSAGE });
    const chargebacks = registrySerde<Chargeback>({ url: o.registryUrl, topics: [topics.chargebacks], schema: feedbackSchemaText(), messageName: CHARGEBACK_MESSAGE });
    await verdicts.prepare();
    await chargebacks.prepare();
    // Compacted, as their writers create them (the dashboard, `vigil chargebacks`); a fresh cluster may have neither yet.
    const admin = await connectAdmin(o.connection);
    try {
      await admin.createTopics([topics.alertFeedback, topics.chargebacks].map((topic) => ({ topic, partitions: 3, config: { 'cleanup.policy': 'compact' } })));
    } finally {
      await admin.close();
    }
    const consumer = await connectConsumer(o.connection, { groupId: `vigil-labels-${randomUUID()}`, maxWaitTimeMs: 500 });
    await consumer.subscribe({ topics: [topics.alertFeedback, topics.chargebacks], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ topic, records }) => {
        for (const r of records) {
          const id = r.key?.toString();
          if (!id) continue;
          try {
            if (topic === topics.chargebacks) {
              if (r.value !== null && chargebacks.deserialize(topic, r.value) !== null) o.outcomes.chargeback(id);
            } else {
              const feedback = r.value === null ? null : verdicts.deserialize(topic, r.value);
              o.outcomes.verdict(id, feedback?.verdict);
            }
          } catch (err) {
            o.log.warn({ err, topic, offset: r.offset, code: 'VIGIL_ERR_DESERIALIZATION' }, 'unreadable label record skipped');
          }
        }
      },
    });
    return new LabelFollower(consumer, [verdicts, chargebacks] as ReadonlyArray<RegistrySerde<unknown>>);
  }

  async close(): Promise<void> {
    await this.consumer.close();
    for (const s of this.serdes) s.close();
  }
}
