import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { isVigilError } from '../../../src/streams/errors.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { TopologyTestDriver } from '../../../src/streams/testing/topology-test-driver.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { openDriver } from './driver-fixture.js';

const S = Serdes.String();
const L = Serdes.Long();

function countingTopology() {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, S)).groupByKey().count(Materialized.as('counts')).toStream().to('out', Produced.with(S, L));
  return builder.build();
}

describe('TopologyTestDriver', () => {
  it('reads stores by name and kind, and lists every store', async () => {
    const driver = openDriver(countingTopology());
    await driver.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    const counts = driver.getKeyValueStore<string, number>('counts');
    expect(await counts?.get('a')).toBe(1);
    const all: Array<[string, number]> = [];
    for await (const { key, value } of counts!.all()) all.push([key, value]);
    expect(all).toEqual([['a', 1]]);
    expect(driver.getWindowStore('counts')).toBeUndefined();
    expect(driver.getSessionStore('counts')).toBeUndefined();
    expect(driver.getKeyValueStore('missing')).toBeUndefined();
    expect([...driver.getAllStateStores().keys()]).toEqual(['counts']);
  });

  it('commits after every record: the LevelDB store holds each update once the pipe resolves', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-ttd-test-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const first = new TopologyTestDriver(countingTopology(), { applicationId: 'app' }, { stateDir });
    await first.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    await first.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    await first.close();
    // A new driver on the same directory finds the committed count.
    const second = new TopologyTestDriver(countingTopology(), { applicationId: 'app' }, { stateDir });
    onTestFinished(() => second.close());
    await second.ready();
    expect(await second.getKeyValueStore<string, number>('counts')?.get('a')).toBe(2);
  });

  it('removes its temporary state directory on close', async () => {
    const driver = new TopologyTestDriver(countingTopology(), { applicationId: 'app' });
    await driver.createInputTopic('in', S, S).pipeInput('a', 'x', 0);
    const dir = driver.config.stateDir;
    expect(existsSync(dir)).toBe(true);
    await driver.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps the temporary state directory when asked to', async () => {
    const driver = new TopologyTestDriver(countingTopology(), { applicationId: 'app' }, { keepStateDir: true });
    await driver.ready();
    const dir = driver.config.stateDir;
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    await driver.close();
    expect(existsSync(dir)).toBe(true);
  });

  it('gives records piped without a timestamp the input topic time, advancing as configured', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), {}, { clock: new ManualClock(1000) });
    const input = driver.createInputTopic('in', S, S, { autoAdvanceMs: 5 });
    await input.pipeKeyValueList([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    input.advanceTime(100);
    await input.pipeRecord({ key: 'c', value: '3' });
    expect(driver.createOutputTopic('out', S, S).readRecordsToList().map((r) => r.timestamp)).toEqual([1000, 1005, 1110]);
  });

  it('output topics consume records in order and report their queue size', async () => {
    const driver = openDriver(countingTopology(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('b', 'x', 0);
    const out = driver.createOutputTopic('out', S, L);
    expect(out.getQueueSize()).toBe(2);
    expect(out.readKeyValue()).toEqual({ key: 'a', value: 1 });
    expect(out.getQueueSize()).toBe(1);
    expect(out.readValue()).toBe(1);
    expect(out.isEmpty()).toBe(true);
    expect(() => out.readRecord()).toThrow(/no more records in output topic "out"/);
  });

  it('refuses an input topic the topology does not read', () => {
    const driver = openDriver(countingTopology());
    let error: unknown;
    try {
      driver.createInputTopic('nope', S, S);
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_ILLEGAL_STATE')).toBe(true);
    expect((error as Error).message).toBe('topic "nope" is not read by this topology; its source topics are [in]');
  });

  it('refuses to pipe after close', async () => {
    const driver = new TopologyTestDriver(countingTopology(), { applicationId: 'app' });
    const input = driver.createInputTopic('in', S, S);
    await driver.close();
    await expect(input.pipeInput('a', 'x', 0)).rejects.toThrow(/TopologyTestDriver is closed/);
  });

  it('queues calls made without awaiting the previous one and runs them in call order', async () => {
    const driver = openDriver(countingTopology(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await Promise.all([input.pipeInput('a', 'x', 0), input.pipeInput('a', 'x', 0), input.pipeInput('b', 'x', 0)]);
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'b', value: 1 },
    ]);
  });

  it('shows DSL stores with plain values, and writes through that view without a timestamp', async () => {
    const driver = openDriver(countingTopology(), { defaultStoreType: 'memory' });
    await driver.createInputTopic('in', S, S).pipeInput('a', 'x', 40);
    const plain = driver.getKeyValueStore<string, number>('counts')!;
    await plain.put('b', 7);
    expect(await driver.getTimestampedKeyValueStore<string, number>('counts')?.get('b')).toEqual({ value: 7, timestamp: -1 });
    const rows: Array<[string, number]> = [];
    for await (const { key, value } of plain.range('a', 'b')) rows.push([key, value]);
    expect(rows).toEqual([
      ['a', 1],
      ['b', 7],
    ]);
  });
});
