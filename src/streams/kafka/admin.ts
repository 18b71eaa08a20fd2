import type { Admin } from 'kafkajs';
import { connectExplained, createKafka } from './connection.js';
import type { KafkaConnectionOptions, TopicPartitionOffset, TopicSpec } from './types.js';

/** The admin operations Vigil needs, and nothing else. */
export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist yet; existing ones are left alone. */
  createTopics(specs: TopicSpec[]): Promise<void>;
  deleteTopics(topics: string[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** High watermarks (the offset the next appended record will get). */
  endOffsets(topic: string): Promise<Array<{ partition: number; offset: string }>>;
  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  close(): Promise<void>;
}

/**
 * Metadata of a freshly created topic reaches every broker (and kafkajs'
 * cache) a little later; until then the broker answers with retriable
 * errors such as UNKNOWN_TOPIC_OR_PARTITION. Retry those for a few seconds.
 */
async function settle<T>(call: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      const retriable = typeof error === 'object' && error !== null && (error as { retriable?: boolean }).retriable === true;
      if (!retriable || i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, Math.min(100 * i, 500)));
    }
  }
}

export async function connectAdmin(options: KafkaConnectionOptions): Promise<KafkaAdmin> {
  const admin: Admin = createKafka(options).admin();
  await connectExplained(() => admin.connect(), options);
  return {
    listTopics: () => admin.listTopics(),
    // kafkajs' waitForLeaders retries only LEADER_NOT_AVAILABLE; a loaded broker may first answer the new
    // topics' metadata with UNKNOWN_TOPIC_OR_PARTITION. Retried whole: the retry creates only what is still missing.
    createTopics: (specs) =>
      settle(async () => {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((s) => !existing.has(s.topic));
        if (missing.length === 0) return;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions ?? 1,
            replicationFactor: s.replicationFactor ?? 1,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      }),
    deleteTopics: (topics) => admin.deleteTopics({ topics }),
    async partitionCount(topic) {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) return 0;
      const meta = await settle(() => admin.fetchTopicMetadata({ topics: [topic] }));
      return meta.topics[0]?.partitions.length ?? 0;
    },
    async endOffsets(topic) {
      const offsets = await settle(() => admin.fetchTopicOffsets(topic));
      return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
    },
    async committedOffsets(groupId, topic) {
      const res = await settle(() => admin.fetchOffsets({ groupId, topics: [topic] }));
      return res.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })));
    },
    close: () => admin.disconnect(),
  };
}
