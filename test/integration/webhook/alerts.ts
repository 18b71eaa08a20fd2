import type { KafkaAdmin, KafkaProducer } from '../../../src/streams/kafka/index.js';
import { framedAlert, sampleAlert } from '../../webhook/alert-fixture.js';

/**
 * Creates `topic` and appends `count` framed alerts whose source coordinates
 * are unique to it (so their webhook ids are unique to the test).
 */
export async function produceAlerts(admin: KafkaAdmin, producer: KafkaProducer, topic: string, count: number, partitions = 1): Promise<void> {
  await admin.createTopics([{ topic, partitions }]);
  await producer.send(
    Array.from({ length: count }, (_, n) => ({
      topic,
      partition: n % partitions,
      key: `card-${n % 7}`,
      value: framedAlert(sampleAlert(n, { source: { topic: `${topic}.transactions`, partition: 0, offset: n } })),
    })),
  );
}
