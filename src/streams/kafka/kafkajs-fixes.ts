/**
 * Three per-record costs of kafkajs 2.2.4 (its last release) on the produce
 * path, removed here. Found by profiling `bench/runtime` (exactly-once,
 * 200,000-record backlog), where the thread spent about a third of its
 * busy time in them (10 %, 5–8 % and 13 % plus copies), besides the
 * garbage they left:
 *
 * 1. `groupMessagesPerPartition` copies the partition's whole array for
 *    every message it adds (`[...current, message]`), so grouping one
 *    request is quadratic in the records per partition. The runtime sends a
 *    commit's output in requests of up to 2,000 records. The linear version
 *    below is installed in Node's module cache before kafkajs is loaded, so
 *    kafkajs' `sendMessages` picks it up; it only does so for the version it
 *    was written against (any other version keeps its own code).
 * 2. The default partitioner filters the partition metadata for every
 *    message, even one with an explicit partition, and hashes keys with a
 *    64-bit `Long` emulation. {@link createPartitioner} gives the same
 *    partitions (Java's murmur2, positive, modulo the partition count) with
 *    32-bit integer arithmetic; the producer facade passes it to kafkajs
 *    through its public `createPartitioner` option.
 *
 * 3. Its Produce request encoder builds an Encoder per record and copies
 *    it into the batch; produce-encoder.ts writes the same bytes into one
 *    buffer.
 *
 * Import this module before anything imports kafkajs (connection.ts and
 * assigner.ts import it first).
 */
import Module, { createRequire } from 'node:module';
import { fastProduceRequest } from './produce-encoder.js';
import type { ProduceRequestFactory } from './produce-encoder.js';

const require = createRequire(import.meta.url);

/** The kafkajs release the module-cache fix was written against. */
export const KAFKAJS_VERSION = '2.2.4';

interface Grouped {
  [partition: number]: unknown[];
}

interface PartitionerArgs {
  topic: string;
  partitionMetadata: ReadonlyArray<{ partitionId: number; leader: number }>;
  message: { partition?: number | null; key?: Buffer | string | null };
}

/** kafkajs' grouping of a topic's messages by partition, in one pass (same result, same order). */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: PartitionerArgs['partitionMetadata'];
  messages: ReadonlyArray<PartitionerArgs['message']>;
  partitioner: (args: PartitionerArgs) => number;
}): Grouped {
  const result: Grouped = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list === undefined) result[partition] = [message];
    else list.push(message);
  }
  return result;
}

/** The file whose export {@link groupMessagesPerPartition} replaces. */
export const GROUPING_MODULE = 'kafkajs/src/producer/groupMessagesPerPartition.js';

/** Whether kafkajs groups with the linear version (false when kafkajs was loaded first, or is another version). */
export function groupingFixInstalled(): boolean {
  return require.cache[require.resolve(GROUPING_MODULE)]?.exports === groupMessagesPerPartition;
}

function installGroupingFix(): void {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== KAFKAJS_VERSION) return;
  const file = require.resolve(GROUPING_MODULE);
  if (require.cache[file] !== undefined) return; // kafkajs is loaded already: too late, and not ours to replace
  const m = new Module(file);
  m.filename = file;
  m.exports = groupMessagesPerPartition;
  m.loaded = true;
  require.cache[file] = m;
}

installGroupingFix();

/** kafkajs' Produce v3 request, which v4–v7 wrap (see produce-encoder.ts). */
export const PRODUCE_REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
let fastProduce: ProduceRequestFactory | undefined;

/** Whether kafkajs encodes Produce requests with produce-encoder.ts (false for another kafkajs version). */
export function produceEncoderInstalled(): boolean {
  return fastProduce !== undefined && require.cache[require.resolve(PRODUCE_REQUEST_MODULE)]?.exports === fastProduce;
}

/**
 * The request modules load lazily, at the first produce: replacing the
 * cached v3 module's export now means v4–v7 wrap ours when they load.
 */
function installProduceEncoder(): void {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== KAFKAJS_VERSION) return;
  const file = require.resolve(PRODUCE_REQUEST_MODULE);
  // v7 (the version Kafka 4 gets) captured kafkajs' own v3 when it loaded: too late.
  if (require.cache[require.resolve('kafkajs/src/protocol/requests/produce/v7/request.js')] !== undefined) return;
  const original = require(file) as ProduceRequestFactory;
  const cached = require.cache[file];
  if (cached === undefined) return;
  fastProduce = fastProduceRequest(original);
  cached.exports = fastProduce;
}

installProduceEncoder();

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/** Java's (and kafkajs') murmur2 of a record key, as a signed 32-bit integer. */
export function murmur2(key: Buffer): number {
  const length = key.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (key[i] as number) | ((key[i + 1] as number) << 8) | ((key[i + 2] as number) << 16) | ((key[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The tail bytes, as Java's switch with fall-through does.
  const tail = length & 3;
  if (tail === 3) h ^= (key[whole + 2] as number) << 16;
  if (tail >= 2) h ^= (key[whole + 1] as number) << 8;
  if (tail >= 1) h = Math.imul(h ^ (key[whole] as number), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

/**
 * kafkajs' default partitioner, cheaper: an explicit partition wins; a key
 * goes to `(murmur2(key) & 0x7fffffff) % partitions`, as in Java's client;
 * a record with neither goes round-robin over the partitions that have a
 * leader, from a random start per topic.
 */
export function createPartitioner(): (args: PartitionerArgs) => number {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) return (murmur2(typeof key === 'string' ? Buffer.from(key) : key) & 0x7fffffff) % partitionMetadata.length;
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const pool = available.length > 0 ? available : partitionMetadata;
    return (pool[next % pool.length] as { partitionId: number }).partitionId;
  };
}
