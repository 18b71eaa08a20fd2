import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { ClientLogger, KafkaConnectionOptions } from './types.js';

// kafkajs warns on every producer about its v2 partitioner change; we pass
// partitions explicitly or accept the default murmur2 one on purpose.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function toLogCreator(logger: ClientLogger | undefined): logCreator {
  return () =>
    ({ level, log }) => {
      if (!logger) return;
      const { message, ...rest } = log;
      const fields = { ...rest, source: 'kafkajs' };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

/** One kafkajs client per options object; internal to runtime/kafka. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka({
    clientId: options.clientId ?? 'vigil',
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: toLogCreator(options.logger),
  });
}
