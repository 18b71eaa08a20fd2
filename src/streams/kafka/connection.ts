// First, before kafkajs loads: see the module.
import './kafkajs-fixes.js';
import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import { VigilError } from '../errors.js';
import type { ClientLogger, KafkaConnectionOptions } from './types.js';

// kafkajs warns on every producer about its v2 partitioner change; we pass
// partitions explicitly or accept the default murmur2 one on purpose.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** Routes kafkajs log entries to the runtime logger (exported for its unit test). */
export function toLogCreator(logger: ClientLogger | undefined): logCreator {
  return () =>
    ({ level, log }) => {
      if (!logger) return;
      const { message, ...rest } = log;
      const fields = { ...rest, source: 'kafkajs' };
      if (level === logLevel.ERROR && isExpectedTransient(message, rest)) logger.debug(fields, message);
      else if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}

/**
 * Broker answers that kafkajs logs as errors but retries at once, and that
 * are part of normal operation: a transaction started while the previous
 * one's markers are still being written (every commit on Kafka 4), and a
 * group or transaction coordinator that is still loading after start-up.
 * Logged at debug so that an error line in Vigil's log means something.
 */
const EXPECTED_TRANSIENTS = /concurrent operation on the same transaction|coordinator is loading|coordinator is not available/i;

function isExpectedTransient(message: string, fields: { [key: string]: unknown }): boolean {
  return EXPECTED_TRANSIENTS.test(message) || (typeof fields.error === 'string' && EXPECTED_TRANSIENTS.test(fields.error));
}

function saslOf(options: KafkaConnectionOptions): SASLOptions | undefined {
  const sasl = options.sasl;
  if (!sasl) return undefined;
  // Built at connect time so the password exists as a string only inside kafkajs.
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password() } as SASLOptions;
}

function tlsOf(options: KafkaConnectionOptions): KafkaConfig['ssl'] {
  const tls = options.tls;
  if (tls === undefined || tls === false) return undefined;
  if (tls === true) return true;
  return {
    ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}

/** One kafkajs client per options object; internal to runtime/kafka. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const ssl = tlsOf(options);
  const sasl = saslOf(options);
  return new Kafka({
    clientId: options.clientId ?? 'vigil',
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: toLogCreator(options.logger),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  });
}

// Node's certificate-verification error codes (tls.connect), as kafkajs passes them on.
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function causes(error: unknown): Array<{ name?: string; code?: unknown; message?: string }> {
  const chain: Array<{ name?: string; code?: unknown; message?: string }> = [];
  let e = error as { name?: string; code?: unknown; message?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let i = 0; e && typeof e === 'object' && i < 8; i++) {
    chain.push(e);
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return chain;
}

/**
 * Turns authentication and TLS failures, which kafkajs reports as generic
 * connection errors, into errors that say what to fix. Anything else is
 * returned unchanged.
 */
export function explainConnectError(error: unknown, options: KafkaConnectionOptions): unknown {
  const chain = causes(error);
  const brokers = options.brokers.join(',');
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    const who = options.sasl ? `user "${options.sasl.username}" with ${options.sasl.mechanism.toUpperCase()}` : 'this client';
    return new VigilError(
      'VIGIL_ERR_KAFKA_AUTH',
      `Kafka (${brokers}) rejected the SASL credentials of ${who}. Check the username and password ` +
        '(VIGIL_KAFKA_SASL_USERNAME, VIGIL_KAFKA_SASL_PASSWORD or VIGIL_KAFKA_SASL_PASSWORD_FILE), that the mechanism matches ' +
        "the listener's sasl.enabled.mechanisms, and that the user exists on the cluster (kafka-configs --describe --entity-type users).",
      { cause: error },
    );
  }
  const tls = chain.find((e) => typeof e.code === 'string' && TLS_CODES.has(e.code));
  if (tls) {
    return new VigilError(
      'VIGIL_ERR_KAFKA_TLS',
      `TLS to Kafka (${brokers}) failed: ${tls.message ?? String(tls.code)} (${String(tls.code)}). Give the CA that signed the brokers' ` +
        'certificates (VIGIL_KAFKA_TLS_CA_FILE), check that the certificate names the host you connect to, and that the listener really speaks TLS.',
      { cause: error },
    );
  }
  return error;
}

/** `client.connect()`, with authentication and TLS failures explained. */
export async function connectExplained(connect: () => Promise<void>, options: KafkaConnectionOptions): Promise<void> {
  try {
    await connect();
  } catch (error) {
    throw explainConnectError(error, options);
  }
}
