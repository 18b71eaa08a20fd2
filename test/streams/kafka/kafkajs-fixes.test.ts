import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '../../../src/streams/kafka/index.js';
import { GROUPING_MODULE, createPartitioner, groupingFixInstalled, groupMessagesPerPartition, murmur2 } from '../../../src/streams/kafka/kafkajs-fixes.js';

const require = createRequire(import.meta.url);
// kafkajs' own code, the oracle the replacements must agree with.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const createKafkajsPartitioner = require('kafkajs/src/producer/partitioners/default/index.js') as () => (args: unknown) => number;
/** kafkajs' own grouping, compiled from its file (the module cache holds ours under that name). */
function kafkajsGrouping(): typeof groupMessagesPerPartition {
  const file = require.resolve(GROUPING_MODULE);
  const m = new Module(file) as Module & { _compile(source: string, filename: string): void };
  m.filename = file;
  m._compile(readFileSync(file, 'utf8'), file);
  return m.exports as typeof groupMessagesPerPartition;
}

const metadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1 }));

describe('kafkajs fixes', () => {
  it('murmur2 gives what kafkajs (and Java) gives, for keys of every tail length', () => {
    for (let len = 0; len < 70; len++) {
      for (let i = 0; i < 20; i++) {
        const key = randomBytes(len);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
    for (const key of ['card-1', 'acct-999', 'us-east.transactions/3/12345', 'ünïcødé']) expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(key));
  });

  it('the partitioner picks the partitions kafkajs picks: explicit partition first, then the key', () => {
    const ours = createPartitioner();
    const theirs = createKafkajsPartitioner();
    for (const n of [1, 3, 4, 12]) {
      for (let i = 0; i < 200; i++) {
        const message = { key: randomBytes(1 + (i % 40)) };
        const args = { topic: 't', partitionMetadata: metadata(n), message };
        expect(ours(args)).toBe(theirs(args));
      }
    }
    expect(ours({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k', partition: 2 } })).toBe(2);
    expect(ours({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k' } })).toBe(theirs({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k' } }));
  });

  it('keyless records go round-robin over the partitions with a leader', () => {
    const p = createPartitioner();
    const partitionMetadata = [
      { partitionId: 0, leader: 1 },
      { partitionId: 1, leader: -1 },
      { partitionId: 2, leader: 1 },
    ];
    const seen = Array.from({ length: 10 }, () => p({ topic: 't', partitionMetadata, message: { key: null } }));
    expect(new Set(seen)).toEqual(new Set([0, 2]));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it('groups messages by partition in one pass, in order, as kafkajs does', () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 37}`, value: `v${i}` }));
    const partitioner = createPartitioner();
    const theirs = kafkajsGrouping();
    expect(theirs).not.toBe(groupMessagesPerPartition);
    for (const partitions of [1, 4, 12]) {
      const args = { topic: 't', partitionMetadata: metadata(partitions), messages, partitioner };
      const grouped = groupMessagesPerPartition(args);
      expect(grouped).toEqual(theirs(args));
      expect(Object.values(grouped).flat()).toHaveLength(500);
    }
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner })).toEqual(theirs({ topic: 't', partitionMetadata: [], messages, partitioner }));
  });

  it('is what kafkajs uses: the linear grouping sits in the module cache before kafkajs loads', () => {
    expect(groupingFixInstalled()).toBe(true);
    const { version } = require('kafkajs/package.json') as { version: string };
    expect(version).toBe('2.2.4');
  });
});
