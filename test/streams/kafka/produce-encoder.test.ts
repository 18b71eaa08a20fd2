import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../src/streams/kafka/index.js';
import { PRODUCE_REQUEST_MODULE, produceEncoderInstalled } from '../../../src/streams/kafka/kafkajs-fixes.js';
import { fastProduceRequest } from '../../../src/streams/kafka/produce-encoder.js';
import type { ProduceRequestArgs, ProduceRequestFactory } from '../../../src/streams/kafka/produce-encoder.js';
import { seededRandom } from '../../../src/webhook/scheduler.js';

const require = createRequire(import.meta.url);
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };

/** kafkajs' own v3 request, compiled from its file (the module cache holds ours under that name). */
function kafkajsRequest(): ProduceRequestFactory {
  const file = require.resolve(PRODUCE_REQUEST_MODULE);
  const m = new Module(file) as Module & { _compile(source: string, filename: string): void };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(file);
  m._compile(readFileSync(file, 'utf8'), file);
  return m.exports as ProduceRequestFactory;
}

const theirs = kafkajsRequest();
const ours = fastProduceRequest(theirs);
const bytes = async (factory: ProduceRequestFactory, args: ProduceRequestArgs) => Buffer.from((await factory(args).encode()).buffer);

function randomRequest(random: () => number): ProduceRequestArgs {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const blob = () => {
    const size = pick([0, 1, 5, 63, 64, 127, 128, 300, 20_000]);
    return random() < 0.5 ? randomBytes(size) : 'ü'.repeat(size >> 1) + 'x'.repeat(size & 1);
  };
  const base = 1_700_000_000_000 + Math.floor(random() * 1e9);
  const topicData = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, t) => ({
    topic: `topic-${t}-${'é'.repeat(t)}`,
    partitions: Array.from({ length: 1 + Math.floor(random() * 4) }, (_, p) => ({
      partition: p * 3 + t,
      firstSequence: Math.floor(random() * 100_000),
      messages: Array.from({ length: 1 + Math.floor(random() * 60) }, () => {
        const ts = pick(['string', 'number', 'none']);
        const offset = Math.floor(random() * 10_000_000) - 5_000_000;
        return {
          key: pick([null, blob(), 'card-1']),
          value: pick([null, blob(), blob()]),
          ...(ts === 'none' ? {} : { timestamp: ts === 'string' ? String(base + offset) : base + offset }),
          ...(random() < 0.5 ? {} : { headers: pick([{}, { a: Buffer.from('1') }, { 'x-trace': 'ünï', many: [Buffer.from('1'), 'two', randomBytes(200)] }]) }),
        };
      }),
    })),
  }));
  return {
    acks: pick([-1, 1]),
    timeout: 30_000,
    transactionalId: pick([null, undefined, 'app-instance-1']) as string | null,
    producerId: Long.fromValue(pick([-1, 0, 4_321, 2 ** 40 + 7])),
    producerEpoch: Math.floor(random() * 30),
    compression: 0,
    topicData,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('produce encoder', () => {
  it('writes the bytes kafkajs writes, on 300 random requests (keys, values, headers, timestamps present or not)', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_123_456); // kafkajs stamps timestamp-less records with Date.now()
    const random = seededRandom(42);
    for (let i = 0; i < 300; i++) {
      const args = randomRequest(random);
      const [a, b] = [await bytes(ours, args), await bytes(theirs, args)];
      // Buffer.equals, not toEqual: a diff of two 100 kB buffers takes minutes to print.
      expect(a.equals(b), `request ${i}: ${a.length} against ${b.length} bytes, first difference at ${a.findIndex((x, j) => x !== b[j])}`).toBe(true);
    }
  });

  it('hands what it would not write exactly to kafkajs: compression, and timestamps whose string order is not their number order', async () => {
    const message = (timestamp: string) => ({ key: 'k', value: 'v', timestamp });
    const mixed: ProduceRequestArgs = { acks: -1, timeout: 1_000, compression: 0, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [message('999'), message('1000')] }] }] };
    expect(await bytes(ours, mixed)).toEqual(await bytes(theirs, mixed));
    const gzip: ProduceRequestArgs = { ...mixed, compression: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [message('1000')] }] }] };
    expect((await bytes(ours, gzip)).subarray(0, 8)).toEqual((await bytes(theirs, gzip)).subarray(0, 8));
  });

  it('is what kafkajs uses: the cached v3 request is ours before v4–v7 load', () => {
    expect(produceEncoderInstalled()).toBe(true);
    const v7 = require('kafkajs/src/protocol/requests/produce/v7/request.js') as ProduceRequestFactory;
    const args: ProduceRequestArgs = { acks: -1, timeout: 1_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: '1700000000000' }] }] }] };
    const request = v7(args);
    expect(request.apiVersion).toBe(7);
    // Ours returns the request's bytes in one buffer: `buf` is exactly `buffer`, kafkajs' Encoder over-allocates.
    return request.encode().then((encoded) => expect(encoded.buf.length).toBe(encoded.size()));
  });
});
