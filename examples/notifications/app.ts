import { continueOnDeserializationError, continueOnProcessingError, type StreamsMetrics } from '../../src/streams/index.js';
import { KafkaStreams, type StreamsLogger } from '../../src/streams/index.js';
import { connectAdmin } from '../../src/streams/kafka/index.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import { startRetrying } from '../shared/start-retrying.js';
import { buildNotifierTopology } from './notifier-topology.js';
import { ProviderClient, type ProviderClientOptions } from './provider-client.js';
import { USER_SIGNED_UP, notificationsSchema, type UserSignedUp } from './schema.js';

/** The example's topics; tests pass unique names so they can share one broker. */
export interface NotificationTopics {
  signups: string;
  sent: string;
  dlq: string;
}

export const DEFAULT_NOTIFICATION_TOPICS: NotificationTopics = { signups: 'user-signups', sent: 'notifications-sent', dlq: 'notifications-dlq' };

export async function ensureTopics(brokers: readonly string[], topics: readonly string[], partitions = 1): Promise<void> {
  const admin = await connectAdmin({ brokers: [...brokers], clientId: 'vigil-example-setup' });
  try {
    await admin.createTopics(topics.map((topic) => ({ topic, partitions })));
  } finally {
    await admin.close();
  }
}

/** The UserSignedUp serde, registered under `<signups>-value` (Confluent wire format). */
export async function signupSerde(registryUrl: string, topics: NotificationTopics): Promise<RegistrySerde<UserSignedUp>> {
  const serde = registrySerde<UserSignedUp>({ url: registryUrl, topics: [topics.signups], schema: notificationsSchema(), messageName: USER_SIGNED_UP });
  await serde.prepare();
  return serde;
}

export interface NotifierOptions {
  brokers: readonly string[];
  registryUrl: string;
  provider: ProviderClientOptions;
  /** The notifier's name; its consumer group is `notifier-<name>`. */
  notifier: string;
  stateDir: string;
  topics?: NotificationTopics;
  metrics?: StreamsMetrics;
  logger?: StreamsLogger;
}

export interface RunningNotifier {
  streams: KafkaStreams;
  close(): Promise<void>;
}

/**
 * Starts one notifier in its own consumer group. Malformed bytes and events
 * that cannot be notified (or a provider that stays down) are skipped and
 * dead-lettered with the engine's `vigil.error.*` headers as the reason.
 */
export async function startNotifier(options: NotifierOptions): Promise<RunningNotifier> {
  const topics = options.topics ?? DEFAULT_NOTIFICATION_TOPICS;
  await ensureTopics(options.brokers, [topics.signups, topics.sent, topics.dlq]);
  const serde = await signupSerde(options.registryUrl, topics);
  const topology = buildNotifierTopology({
    notifier: options.notifier,
    signupsTopic: topics.signups,
    sentTopic: topics.sent,
    signupSerde: serde,
    sender: new ProviderClient(options.provider),
  });
  const streams = await startRetrying(
    () =>
      new KafkaStreams(topology, {
        applicationId: `notifier-${options.notifier}`,
        brokers: options.brokers,
        stateDir: options.stateDir,
        deserializationExceptionHandler: continueOnDeserializationError,
        processingExceptionHandler: continueOnProcessingError,
        deadLetterTopic: topics.dlq,
        commitIntervalMs: 200,
        sessionTimeoutMs: 6_000,
        ...(options.metrics ? { metrics: options.metrics } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
  );
  return {
    streams,
    close: async () => {
      await streams.close();
      serde.close();
    },
  };
}
