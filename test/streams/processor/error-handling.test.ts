import { describe, expect, it } from 'vitest';
import { VigilError, isVigilError } from '../../../src/streams/errors.js';
import { continueOnDeserializationError, continueOnProcessingError } from '../../../src/streams/processor/exception-handlers.js';
import type { StreamsMetrics } from '../../../src/streams/metrics.js';
import type { Processor, ProcessorContext } from '../../../src/streams/processor/processor.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

interface Payment {
  amount: number;
}

function recordingMetrics(): StreamsMetrics & { skipped: string[]; processed: number } {
  const m = {
    skipped: [] as string[],
    processed: 0,
    lateRecordDropped: () => {},
    recordProcessed: () => {
      m.processed += 1;
    },
    recordSkipped: (_task: string, reason: string) => {
      m.skipped.push(reason);
    },
  };
  return m;
}

/** Doubles amounts; throws on negative ones. */
const doubler = (): Processor<string, Payment, string, Payment> => {
  let ctx: ProcessorContext<string, Payment>;
  return {
    init: (c) => {
      ctx = c;
    },
    async process(record) {
      if (record.value.amount < 0) throw new Error(`negative amount ${record.value.amount}`);
      await ctx.forward(record.withValue({ amount: record.value.amount * 2 }));
    },
  };
};

function paymentsTopology(): Topology {
  return new Topology()
    .addSource('payments', { topics: ['payments'], keySerde: Serdes.String(), valueSerde: Serdes.Json<Payment>() })
    .addProcessor('double', doubler, 'payments')
    .addSink('out', 'doubled', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Payment>() }, 'double');
}

const header = (headers: ReadonlyMap<string, Buffer>, name: string): string | undefined => headers.get(name)?.toString('utf8');

describe('deserialization errors', () => {
  it('routes a poison record with its original bytes and reason to the dead-letter topic, and keeps processing', async () => {
    const metrics = recordingMetrics();
    const driver = openDriver(paymentsTopology(), {
      deserializationExceptionHandler: continueOnDeserializationError,
      deadLetterTopic: 'payments-dlq',
      metrics,
    });
    const raw = driver.createInputTopic('payments', Serdes.String(), Serdes.Bytes());
    const output = driver.createOutputTopic('doubled', Serdes.String(), Serdes.Json<Payment>());
    const dlq = driver.createOutputTopic('payments-dlq', Serdes.String(), Serdes.Bytes());

    await raw.pipeInput('a', Buffer.from('{"amount":1}'), 10);
    await raw.pipeRecord({ key: 'b', value: Buffer.from('{not json'), timestamp: 20, headers: new Map([['trace', Buffer.from('t-1')]]) });
    await raw.pipeInput('c', Buffer.from('{"amount":3}'), 30);

    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: { amount: 2 } },
      { key: 'c', value: { amount: 6 } },
    ]);
    const dead = dlq.readRecordsToList();
    expect(dead).toHaveLength(1);
    const poison = dead[0]!;
    expect(poison.key).toBe('b');
    expect(poison.value?.toString('utf8')).toBe('{not json');
    expect(poison.timestamp).toBe(20);
    expect(header(poison.headers, 'vigil.error.code')).toBe('VIGIL_ERR_DESERIALIZATION');
    expect(header(poison.headers, 'vigil.error.message')).toMatch(/Json serde could not deserialize 9 bytes from topic "payments"/);
    expect(header(poison.headers, 'vigil.source.topic')).toBe('payments');
    expect(header(poison.headers, 'vigil.source.partition')).toBe('0');
    expect(header(poison.headers, 'vigil.source.offset')).toBe('1');
    expect(header(poison.headers, 'trace')).toBe('t-1');
    expect(metrics.skipped).toEqual(['deserialization-error']);
    expect(metrics.processed).toBe(2);
  });

  it('skips and counts a poison record without producing anything when no dead-letter topic is configured', async () => {
    const metrics = recordingMetrics();
    const driver = openDriver(paymentsTopology(), { deserializationExceptionHandler: continueOnDeserializationError, metrics });
    const raw = driver.createInputTopic('payments', Serdes.String(), Serdes.Bytes());
    await raw.pipeInput('b', Buffer.from('{not json'), 1);
    await raw.pipeInput('c', Buffer.from('{"amount":1}'), 2);
    expect(driver.createOutputTopic('doubled', Serdes.String(), Serdes.Json<Payment>()).readValuesToList()).toEqual([{ amount: 2 }]);
    expect(driver.producedTopicNames()).toEqual(new Set(['doubled']));
    expect(metrics.skipped).toEqual(['deserialization-error']);
  });

  it('fails with VIGIL_ERR_DESERIALIZATION by default, naming the record', async () => {
    const driver = openDriver(paymentsTopology());
    const raw = driver.createInputTopic('payments', Serdes.String(), Serdes.Bytes());
    const error = await raw.pipeInput('b', Buffer.from('nope'), 1).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_DESERIALIZATION')).toBe(true);
    expect((error as Error).message).toMatch(/record at payments-0@0/);
    expect((error as { taskId?: string }).taskId).toBe('0_0');
  });
});

/**
 * A JSON serde that only knows "schemas" it was told about: a record whose
 * first byte names an unknown one fails until `resolveMissing` learns it,
 * as a registry serde does with an id registered a moment ago.
 */
function learningSerde(registry: ReadonlySet<string>) {
  const known = new Set<string>();
  const asked: string[] = [];
  const serde = {
    serialize: (_topic: string, value: Payment | null) => (value === null ? null : Buffer.from(JSON.stringify(value))),
    deserialize(_topic: string, bytes: Buffer | null): Payment | null {
      if (bytes === null) return null;
      const schema = String.fromCharCode(bytes[0]!);
      if (!known.has(schema)) throw new VigilError('VIGIL_ERR_UNKNOWN_SCHEMA', `schema ${schema} unknown`);
      return JSON.parse(bytes.subarray(1).toString('utf8')) as Payment;
    },
    async resolveMissing(_topic: string, bytes: Buffer): Promise<boolean> {
      const schema = String.fromCharCode(bytes[0]!);
      asked.push(schema);
      if (!registry.has(schema)) return false;
      known.add(schema);
      return true;
    },
  };
  return { serde, asked };
}

describe('deserializers that can fetch what they lack', () => {
  function openLearning(registry: ReadonlySet<string>) {
    const { serde, asked } = learningSerde(registry);
    const topology = new Topology()
      .addSource('payments', { topics: ['payments'], keySerde: Serdes.String(), valueSerde: serde })
      .addProcessor('double', doubler, 'payments')
      .addSink('out', 'doubled', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Payment>() }, 'double');
    const driver = openDriver(topology, { deserializationExceptionHandler: continueOnDeserializationError, deadLetterTopic: 'payments-dlq' });
    return {
      asked,
      raw: driver.createInputTopic('payments', Serdes.String(), Serdes.Bytes()),
      output: driver.createOutputTopic('doubled', Serdes.String(), Serdes.Json<Payment>()),
      dlq: driver.createOutputTopic('payments-dlq', Serdes.String(), Serdes.Bytes()),
    };
  }

  it('get one more try after resolveMissing learned the schema, and nothing is dead-lettered', async () => {
    const { raw, output, dlq, asked } = openLearning(new Set(['A']));
    await raw.pipeInput('a', Buffer.from('A{"amount":1}'), 10);
    await raw.pipeInput('b', Buffer.from('A{"amount":2}'), 20);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: { amount: 2 } },
      { key: 'b', value: { amount: 4 } },
    ]);
    expect(dlq.readRecordsToList()).toEqual([]);
    expect(asked).toEqual(['A']); // the second record took the synchronous path
  });

  it('dead-letter the record when the lookup fails, with the serde\'s code in vigil.error.cause.code', async () => {
    const { raw, output, dlq } = openLearning(new Set(['A']));
    await raw.pipeInput('z', Buffer.from('Z{"amount":1}'), 10);
    await raw.pipeInput('a', Buffer.from('A{"amount":5}'), 20);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: { amount: 10 } }]);
    const dead = dlq.readRecordsToList();
    expect(dead.map((r) => r.key)).toEqual(['z']);
    expect(header(dead[0]!.headers, 'vigil.error.code')).toBe('VIGIL_ERR_DESERIALIZATION');
    expect(header(dead[0]!.headers, 'vigil.error.cause.code')).toBe('VIGIL_ERR_UNKNOWN_SCHEMA');
  });
});

describe('processing errors', () => {
  it('skips the failing record, dead-letters it, and processes the next one when the handler continues', async () => {
    const metrics = recordingMetrics();
    const driver = openDriver(paymentsTopology(), {
      processingExceptionHandler: continueOnProcessingError,
      deadLetterTopic: 'dlq',
      metrics,
    });
    const input = driver.createInputTopic('payments', Serdes.String(), Serdes.Json<Payment>());
    const output = driver.createOutputTopic('doubled', Serdes.String(), Serdes.Json<Payment>());
    const dlq = driver.createOutputTopic('dlq', Serdes.String(), Serdes.Json<Payment>());
    await input.pipeInput('a', { amount: -1 }, 1);
    await input.pipeInput('b', { amount: 4 }, 2);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'b', value: { amount: 8 } }]);
    const dead = dlq.readRecord();
    expect(dead.value).toEqual({ amount: -1 });
    expect(header(dead.headers, 'vigil.error.code')).toBe('VIGIL_ERR_PROCESSING');
    expect(header(dead.headers, 'vigil.error.message')).toBe('negative amount -1');
    expect(metrics.skipped).toEqual(['processing-error']);
  });

  it('fails with VIGIL_ERR_PROCESSING by default, with the cause attached', async () => {
    const driver = openDriver(paymentsTopology());
    const input = driver.createInputTopic('payments', Serdes.String(), Serdes.Json<Payment>());
    const error = await input.pipeInput('a', { amount: -5 }, 1).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_PROCESSING')).toBe(true);
    expect((error as Error).message).toBe('processor "double" in task 0_0 failed on the record at payments-0@0: negative amount -5');
    expect(((error as Error).cause as Error).message).toBe('negative amount -5');
  });
});

describe('punctuator errors', () => {
  function failingPunctuatorTopology(): Topology {
    return new Topology()
      .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor(
        'ticker',
        (): Processor => ({
          init: (c) => {
            c.schedule(10, 'WALL_CLOCK_TIME', () => {
              throw new Error('tick failed');
            });
          },
          process: () => {},
        }),
        'src',
      );
  }

  it('fail the task with VIGIL_ERR_PROCESSING by default, saying it happened while punctuating', async () => {
    const driver = openDriver(failingPunctuatorTopology());
    const error = await driver.advanceWallClockTime(10).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_PROCESSING')).toBe(true);
    expect((error as Error).message).toBe('processor "ticker" in task 0_0 failed while punctuating: tick failed');
  });

  it('are skipped and counted, with nothing dead-lettered, when the handler continues', async () => {
    const metrics = recordingMetrics();
    const driver = openDriver(failingPunctuatorTopology(), { processingExceptionHandler: continueOnProcessingError, deadLetterTopic: 'dlq', metrics });
    await driver.advanceWallClockTime(10);
    await driver.advanceWallClockTime(10);
    expect(metrics.skipped).toEqual(['processing-error', 'processing-error']);
    expect(driver.producedTopicNames().size).toBe(0);
  });
});

describe('processor context', () => {
  it('exposes the consumed record metadata while processing', async () => {
    const seen: unknown[] = [];
    const topology = new Topology()
      .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor(
        'p',
        (): Processor<string, string> => {
          let ctx: ProcessorContext;
          return {
            init: (c) => {
              ctx = c;
            },
            process: () => {
              seen.push({ ...ctx.recordMetadata(), taskId: ctx.taskId, node: ctx.nodeName, streamTime: ctx.currentStreamTimeMs() });
            },
          };
        },
        'src',
      );
    const driver = openDriver(topology);
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    await input.pipeInput('k', 'a', 50);
    await input.pipeInput('k', 'b', 40);
    expect(seen).toEqual([
      { topic: 'in', partition: 0, offset: '0', taskId: '0_0', node: 'p', streamTime: 50 },
      { topic: 'in', partition: 0, offset: '1', taskId: '0_0', node: 'p', streamTime: 50 },
    ]);
  });

  it('refuses a store the processor is not connected to, with VIGIL_ERR_STORE_NOT_FOUND', async () => {
    const topology = new Topology()
      .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor('p', (): Processor => ({ init: (c) => void c.getStateStore('elsewhere'), process: () => {} }), 'src');
    const driver = openDriver(topology);
    const error = await driver.ready().catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_STORE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toMatch(/processor "p" asked for store "elsewhere"/);
  });

  it('skips and counts records whose extracted timestamp is negative', async () => {
    const metrics = recordingMetrics();
    const topology = new Topology()
      .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String(), timestampExtractor: (r) => Number(r.value) })
      .addSink('sink', 'out', { keySerde: Serdes.String(), valueSerde: Serdes.String() }, 'src');
    const driver = openDriver(topology, { metrics });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    await input.pipeInput('k', '-1', 0);
    await input.pipeInput('k', '7', 0);
    expect(output.readRecordsToList().map((r) => [r.value, r.timestamp])).toEqual([['7', 7]]);
    expect(metrics.skipped).toEqual(['negative-timestamp']);
  });
});
