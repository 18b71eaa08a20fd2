import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { streamsConfig } from '../../../../src/streams/config.js';
import { isVigilError } from '../../../../src/streams/errors.js';
import type { ConsumedRecord, ProducedRecord } from '../../../../src/streams/processor/internal/record-collector.js';
import { StreamTask } from '../../../../src/streams/processor/internal/stream-task.js';
import type { Processor, ProcessorContext } from '../../../../src/streams/processor/processor.js';
import { EMPTY_HEADERS } from '../../../../src/streams/processor/record.js';
import { Topology } from '../../../../src/streams/processor/topology.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';
import { Stores } from '../../../../src/streams/state/index.js';
import type { KeyValueStore, StoreChange } from '../../../../src/streams/state/types.js';
import { ManualClock } from '../../../../src/streams/time/clock.js';
import { TOPOLOGY_INTERNALS } from '../../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();

/** Stores each value under its key and forwards it. */
const storing = (): Processor<string, string, string, string> => {
  let ctx: ProcessorContext<string, string>;
  let store: KeyValueStore<string, string>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore<KeyValueStore<string, string>>('kv');
    },
    async process(record) {
      await store.put(record.key, record.value);
      await ctx.forward(record);
    },
  };
};

function topology(): Topology {
  return new Topology()
    .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
    .addProcessor('p', storing, 'src')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, S).withCachingEnabled().withLoggingEnabled(), 'p')
    .addSink('sink', 'out', { keySerde: S, valueSerde: S, partitioner: (_t, key, _v, n) => key.length % n }, 'p');
}

function consumed(key: string, value: string, offset: number): ConsumedRecord {
  return { topic: 'in', partition: 3, offset: String(offset), key: Buffer.from(key), value: Buffer.from(value), timestamp: 100 + offset, headers: EMPTY_HEADERS };
}

async function openTask() {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-task-'));
  const sent: ProducedRecord[] = [];
  const changes: StoreChange[] = [];
  let flushes = 0;
  const task = new StreamTask({
    plan: topology()[TOPOLOGY_INTERNALS].plan('app').subtopologies[0]!,
    partition: 3,
    config: streamsConfig({ applicationId: 'app', stateDir }),
    collector: {
      send: (r) => sent.push(r),
      flush: async () => {
        flushes += 1;
      },
    },
    clock: new ManualClock(0),
    onStoreChange: (c) => changes.push(c),
  });
  onTestFinished(async () => {
    await task.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  await task.initialize();
  return { task, sent, changes, flushes: () => flushes };
}

describe('StreamTask (the runtime seam)', () => {
  it('is named <subtopology>_<partition> and accepts only its source topics', async () => {
    const { task } = await openTask();
    expect(task.id).toBe('0_3');
    expect(task.accepts('in')).toBe(true);
    expect(task.accepts('other')).toBe(false);
  });

  it('sends serialized output to the collector as the sink runs, with the sink partitioner bound to the record', async () => {
    const { task, sent } = await openTask();
    await task.process(consumed('abc', 'v1', 0));
    expect(sent).toHaveLength(1);
    const out = sent[0]!;
    expect([out.topic, out.key?.toString(), out.value?.toString(), out.timestamp]).toEqual(['out', 'abc', 'v1', 100]);
    expect(out.choosePartition?.(2)).toBe(1);
    expect(task.streamTimeMs).toBe(100);
  });

  it('reports changes of logged stores to onStoreChange by commit time at the latest, and flushes the collector on commit', async () => {
    const { task, changes, flushes } = await openTask();
    await task.process(consumed('k', 'v1', 0));
    await task.process(consumed('k', 'v2', 1));
    await task.commit();
    expect(changes.map((c) => [c.store, c.key.toString(), c.value?.toString()]).at(-1)).toEqual(['kv', 'k', 'v2']);
    expect(flushes()).toBe(1);
    expect(task.loggedStoreNames).toEqual(new Set(['kv']));
  });

  it('refuses records before initialize and after close', async () => {
    const { task } = await openTask();
    await task.close();
    const error = await Promise.resolve(task.process(consumed('k', 'v', 0))).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_ILLEGAL_STATE')).toBe(true);
    expect((error as Error).message).toBe('task 0_3 is closed');
  });

  it('asks for a serde when neither the source nor the config has one', () => {
    const plan = new Topology().addSource('src', 'in')[TOPOLOGY_INTERNALS].plan('app').subtopologies[0]!;
    expect(
      () =>
        new StreamTask({ plan, partition: 0, config: streamsConfig({ applicationId: 'app' }), collector: { send: () => {} }, clock: new ManualClock() }),
    ).toThrow(/source "src" has no key serde; pass keySerde to it/);
  });

  it('raises commitRequested when a processor asks to commit, until the next commit', async () => {
    const plan = new Topology()
      .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
      .addProcessor('p', (): Processor => ({ init: (c) => void (ctx = c), process: () => ctx.commit() }), 'src')[TOPOLOGY_INTERNALS]
      .plan('app').subtopologies[0]!;
    let ctx!: ProcessorContext;
    const task = new StreamTask({ plan, partition: 0, config: streamsConfig({ applicationId: 'app' }), collector: { send: () => {} }, clock: new ManualClock() });
    await task.initialize();
    expect(task.commitRequested).toBe(false);
    await task.process(consumed('k', 'v', 0));
    expect(task.commitRequested).toBe(true);
    await task.commit();
    expect(task.commitRequested).toBe(false);
    await task.close();
  });

  it('refuses a call that overlaps one still running', async () => {
    const { task } = await openTask();
    const first = task.process(consumed('k', 'v1', 0));
    const error = await Promise.resolve(task.process(consumed('k', 'v2', 1))).catch((e: unknown) => e);
    await first;
    expect(isVigilError(error, 'VIGIL_ERR_ILLEGAL_STATE')).toBe(true);
    expect((error as Error).message).toBe('task 0_3: process() called while process() is still running; await each task call before the next');
  });

  it('opens stores before restoration and runs processors only once restoration completes', async () => {
    const seenAtInit: Array<string | undefined> = [];
    const plan = new Topology()
      .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
      .addProcessor(
        'p',
        (): Processor<string, string> => ({
          init: async (c) => void seenAtInit.push(await c.getStateStore<KeyValueStore<string, string>>('kv').get('k')),
          process: () => {},
        }),
        'src',
      )
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, S), 'p')[TOPOLOGY_INTERNALS]
      .plan('app').subtopologies[0]!;
    const task = new StreamTask({ plan, partition: 0, config: streamsConfig({ applicationId: 'app' }), collector: { send: () => {} }, clock: new ManualClock() });
    onTestFinished(() => task.close());
    await task.initializeStores();
    expect(seenAtInit).toEqual([]);
    await task.stores.get('kv')!.restore([{ key: Buffer.from('k'), value: Buffer.from('restored') }]);
    await task.completeRestoration();
    expect(seenAtInit).toEqual(['restored']);
  });
});
