import protobuf from 'protobufjs';
import { inject, onTestFinished } from 'vitest';
import { vigilSchema, type Transaction } from '../../../src/fraud/schema/index.js';
import { registrySerde, type RegistrySerde } from '../../../src/registry/registry-serde.js';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { continueOnDeserializationError } from '../../../src/streams/processor/exception-handlers.js';
import type { KafkaStreams } from '../../../src/streams/runtime/kafka-streams.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { encodeWireFormat } from '../../../src/streams/serde/wire-format.js';
import { uniqueName } from '../helpers.js';
import { createTopics, readToEnd, startStreams, tempStateDir } from '../streams/helpers.js';

export const vigilProto = vigilSchema().text;
/** A compatible next version of vigil.proto, as another team would register it: one field added to Transaction. */
export const vigilProtoV2 = vigilProto.replace('int64 event_time_ms = 13;', 'int64 event_time_ms = 13;\n  string terminal_id = 17;');

export interface PipelineTopics {
  transactions: string;
  out: string;
  dlq: string;
}

/**
 * The smallest real consumer of registry-framed transactions: the engine on
 * the real broker reads `transactions` with the registry serde and writes
 * each transaction id to `out`; undecodable records go to `dlq`.
 */
export async function startTransactionPipeline(url = inject('schemaRegistryUrl')): Promise<{ topics: PipelineTopics; serde: RegistrySerde<Transaction>; streams: KafkaStreams }> {
  const topics = { transactions: uniqueName('transactions'), out: uniqueName('tx-ids'), dlq: uniqueName('transactions.dlq') };
  await createTopics(1, topics.transactions, topics.out, topics.dlq);
  const serde = registrySerde<Transaction>({ url, topics: [topics.transactions], schema: vigilProto, messageName: 'vigil.v1.Transaction', lookupTimeoutMs: 30_000 });
  await serde.prepare();
  onTestFinished(() => serde.close());
  const builder = new StreamsBuilder();
  builder
    .stream(topics.transactions, Consumed.with(Serdes.String(), serde))
    .mapValues((tx: Transaction) => `${tx.transaction_id}/${tx.amount_minor}`)
    .to(topics.out, Produced.with(Serdes.String(), Serdes.String()));
  const streams = await startStreams(builder.build(), {
    applicationId: uniqueName('registry-pipeline'),
    stateDir: tempStateDir(),
    deserializationExceptionHandler: continueOnDeserializationError,
    deadLetterTopic: topics.dlq,
  });
  await streams.waitForState('RUNNING');
  return { topics, serde, streams };
}

/** Confluent wire-format bytes of `value` as message `messageName` of `schemaText`, under `schemaId` (index [0]: Transaction). */
export function frame(schemaText: string, schemaId: number, value: object, messageName = 'vigil.v1.Transaction'): Buffer {
  const type = protobuf.parse(schemaText, { keepCase: true }).root.lookupType(messageName);
  return encodeWireFormat({ schemaId, messageIndexes: [0], payload: Buffer.from(type.encode(type.fromObject(value)).finish()) });
}

export function transaction(i: number): Transaction {
  return {
    transaction_id: `tx-${i}`,
    card_id: `c-${i % 7}`,
    user_id: `u-${i % 7}`,
    amount_minor: 100 + i,
    currency: 'USD',
    merchant_id: 'm-1',
    mcc: 5411,
    latitude: 40.7,
    longitude: -74,
    device_id: 'd-1',
    channel: 'CHANNEL_ONLINE',
    region: 'us-east',
    event_time_ms: 1_767_571_200_000 + i,
  };
}

/** Polls `topic` until it holds `count` records (or `timeoutMs` passes) and returns them. */
export async function waitForRecords(topic: string, count: number, timeoutMs = 60_000): Promise<Awaited<ReturnType<typeof readToEnd>>> {
  const deadline = Date.now() + timeoutMs;
  let records = await readToEnd(topic);
  while (records.length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    records = await readToEnd(topic);
  }
  return records;
}
