/**
 * Vigil's own view of a Kafka client. Everything outside `runtime/kafka/`
 * codes against these types, so the client library (kafkajs today,
 * @platformatic/kafka perhaps tomorrow) can be swapped in one folder.
 */

export interface KafkaConnectionOptions {
  /** `host:port` pairs; use 127.0.0.1, not localhost (Node 20 may pick ::1). */
  brokers: string[];
  clientId?: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Client-library log lines are passed here; silent when absent. */
  logger?: ClientLogger;
  /** How many times a failed request is retried before the call fails. */
  retries?: number;
  /** TLS to the brokers: `true` trusts the system CAs; an object adds a CA, a client certificate, a server name. */
  tls?: KafkaTlsOptions | boolean;
  /** SASL authentication (over TLS in production: SCRAM protects the password, not the data). */
  sasl?: KafkaSaslOptions;
}

/** PEM strings, not paths: the caller reads the files (see `kafkaSecurityFromEnv`). */
export interface KafkaTlsOptions {
  /** Trusted CA certificate(s) for the brokers' certificates; default the system store. */
  ca?: string;
  /** Client certificate and key, for brokers with `ssl.client.auth=required` (mTLS). */
  cert?: string;
  key?: string;
  /** Name checked against the broker certificate when it differs from the bootstrap host. */
  servername?: string;
}

export type KafkaSaslMechanism = 'scram-sha-512' | 'scram-sha-256' | 'plain';

/**
 * SASL credentials. The password is a function, not a string, so the
 * options object can be logged, inspected or JSON-serialised without
 * revealing it (functions are dropped by JSON and pino).
 */
export interface KafkaSaslOptions {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: () => string;
}

export interface ClientLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export type RecordHeaders = { [name: string]: Buffer | string };

export interface ProducedRecord {
  topic: string;
  partition?: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeaders;
  /** Epoch ms; the broker assigns one when absent. */
  timestamp?: number;
}

export interface ProduceResult {
  topic: string;
  partition: number;
  baseOffset: string;
  /** Broker append time when the topic uses LogAppendTime, else -1. */
  logAppendTime: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Epoch ms: create time or the broker's append time, per topic config. */
  timestamp: number;
  headers: { [name: string]: Buffer | undefined };
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka commits it. */
  offset: string;
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  config?: { [name: string]: string };
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** What a group member was given at the end of a rebalance. */
export interface GroupAssignment {
  memberId: string;
  isLeader: boolean;
  /** topic → partitions */
  partitions: Map<string, number[]>;
}

/** Where a consumer stands on one partition after a fetched batch. */
export interface BatchProgress {
  topic: string;
  partition: number;
  /** The last offset the batch covered, transaction markers included. */
  lastOffset: string;
  highWatermark: string;
  offsetLag: string;
}
