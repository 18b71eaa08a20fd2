import { join } from 'node:path';
import { continueOnDeserializationError, continueOnProcessingError, type StreamsMetrics, type Topology } from '../../src/streams/index.js';
import { KafkaStreams, type ProcessingGuarantee, type StreamsLogger } from '../../src/streams/index.js';
import { connectAdmin } from '../../src/streams/kafka/index.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import type { WebhookSecret } from '../../src/webhook/index.js';
import { startRetrying } from '../shared/start-retrying.js';
import { buildAnalyticsTopology } from './analytics-service.js';
import { buildInventoryTopology } from './inventory-service.js';
import { buildPaymentTopology } from './payment-service.js';
import { buildSagaTopology } from './saga-coordinator.js';
import { ORDER_EVENT, ordersSchema, type OrderEvent } from './schema.js';
import { buildShippingTopology } from './shipping-webhook.js';
import { envelopeTopics, type OrderTopics } from './topics.js';

/** The saga's services; each is its own topology, consumer group and (in production) process. */
export const ORDER_SERVICES = ['saga', 'inventory', 'payment', 'analytics', 'shipping'] as const;
export type OrderService = (typeof ORDER_SERVICES)[number];

/** Partitions of every saga topic: the coordinator's inputs must be co-partitioned. */
export const ORDER_PARTITIONS = 2;

export interface OrderServiceOptions {
  brokers: readonly string[];
  registryUrl: string;
  topics: OrderTopics;
  /** Each service keeps its stores under `<stateDir>/<service>`. */
  stateDir: string;
  /** The consumer groups are `<appPrefix><service>`. */
  appPrefix?: string;
  /** Where the shipping service posts its webhooks, and the secrets it signs with. */
  shipping?: { url: string; secrets: readonly WebhookSecret[] };
  /**
   * Default exactly_once: a service's store updates and the events they cause
   * commit together, so a crash never leaves a saga step half done.
   */
  processingGuarantee?: ProcessingGuarantee;
  commitIntervalMs?: number;
  metrics?: StreamsMetrics;
  logger?: StreamsLogger;
}

export async function ensureOrderTopics(brokers: readonly string[], topics: OrderTopics): Promise<void> {
  const admin = await connectAdmin({ brokers: [...brokers], clientId: 'vigil-example-setup' });
  try {
    await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: ORDER_PARTITIONS })));
  } finally {
    await admin.close();
  }
}

/** The OrderEvent serde for every envelope topic (Confluent wire format, ids from the registry). */
export async function orderEventSerde(registryUrl: string, topics: OrderTopics): Promise<RegistrySerde<OrderEvent>> {
  const serde = registrySerde<OrderEvent>({ url: registryUrl, topics: envelopeTopics(topics), schema: ordersSchema(), messageName: ORDER_EVENT });
  await serde.prepare();
  return serde;
}

function topologyOf(service: OrderService, options: OrderServiceOptions, serde: RegistrySerde<OrderEvent>): Topology {
  switch (service) {
    case 'saga':
      return buildSagaTopology(options.topics, serde);
    case 'inventory':
      return buildInventoryTopology(options.topics, serde);
    case 'payment':
      return buildPaymentTopology(options.topics, serde);
    case 'analytics':
      return buildAnalyticsTopology(options.topics, serde);
    case 'shipping':
      if (!options.shipping) throw new Error('the shipping service needs shipping.url and shipping.secrets');
      return buildShippingTopology(options.topics, serde, options.shipping);
  }
}

export interface RunningService {
  service: OrderService;
  streams: KafkaStreams;
  close(): Promise<void>;
}

/**
 * Starts one service. Poison records (and shipments the warehouse never
 * confirmed) are skipped and dead-lettered with the engine's headers.
 */
export async function startOrderService(service: OrderService, options: OrderServiceOptions): Promise<RunningService> {
  const serde = await orderEventSerde(options.registryUrl, options.topics);
  const make = () =>
    new KafkaStreams(topologyOf(service, options, serde), {
      applicationId: `${options.appPrefix ?? 'orders-'}${service}`,
      brokers: options.brokers,
      stateDir: join(options.stateDir, service),
      processingGuarantee: options.processingGuarantee ?? 'exactly_once',
      deserializationExceptionHandler: continueOnDeserializationError,
      processingExceptionHandler: continueOnProcessingError,
      deadLetterTopic: options.topics.dlq,
      commitIntervalMs: options.commitIntervalMs ?? 100,
      sessionTimeoutMs: 6_000,
      instanceId: service,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  let streams: KafkaStreams;
  try {
    streams = await startRetrying(make);
  } catch (err) {
    serde.close();
    throw err;
  }
  return {
    service,
    streams,
    close: async () => {
      await streams.close();
      serde.close();
    },
  };
}
