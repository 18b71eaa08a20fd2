import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { VigilError } from '../../../src/streams/errors.js';
import type { Processor } from '../../../src/streams/processor/processor.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { GlobalStateManager } from '../../../src/streams/runtime/global-state.js';
import type { ConsumedRecord, KafkaAdmin, KafkaConsumer, RunOptions } from '../../../src/streams/kafka/index.js';
import { kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/index.js';
import type { KeyValueStore } from '../../../src/streams/state/types.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Keeps each rate in the global store; a value "poison" makes the update fail. */
const updater = (): Processor<string, string, void, void> => {
  let store: KeyValueStore<string, string>;
  return {
    init: (c) => {
      store = c.getStateStore('rates');
    },
    process: async (r) => {
      if (r.value === 'poison') throw new Error('cannot apply this update');
      await store.put(r.key, r.value);
    },
  };
};

/** A global store fed from `rates` (2 records at start), with a fake consumer the test drives. */
function manager(): { global: GlobalStateManager; run: Promise<RunOptions> } {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-global-'));
  dirs.push(stateDir);
  const topology = new Topology()
    .addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, S).withLoggingDisabled(), 'rates-source', { topic: 'rates', keySerde: S, valueSerde: S }, 'rates-updater', updater)
    .addSource('in', { topics: ['in'], keySerde: S, valueSerde: S });
  const plan = topology[TOPOLOGY_INTERNALS].plan('app');
  const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], stateDir, clock: new ManualClock(0) });
  let ran: (o: RunOptions) => void = () => {};
  const run = new Promise<RunOptions>((resolve) => (ran = resolve));
  const consumer: KafkaConsumer = {
    subscribe: async () => {},
    run: async (o) => ran(o),
    commit: async () => {},
    seek: () => {},
    pause: () => {},
    resume: () => {},
    close: async () => {},
  };
  const admin = { endOffsets: async () => [{ partition: 0, offset: '2' }] } as unknown as KafkaAdmin;
  const global = new GlobalStateManager({ plan: plan.global!, config: streamsConfig(streams), options: runtime, connection: { brokers: ['h:1'] }, admin, connect: async () => consumer });
  return { global, run };
}

function rate(offset: number, value: string): ConsumedRecord {
  return { topic: 'rates', partition: 0, offset: String(offset), key: Buffer.from(`EUR${offset}`), value: Buffer.from(value), timestamp: 1_000, headers: {} };
}

async function deliver(o: RunOptions, records: ConsumedRecord[]): Promise<void> {
  await o.eachBatch({ topic: 'rates', partition: 0, records, highWatermark: '2', resolveOffset: () => {}, heartbeat: async () => {}, isStale: () => false });
  o.onBatchEnd?.({ topic: 'rates', partition: 0, lastOffset: records.at(-1)!.offset } as never);
}

describe('GlobalStateManager.start', () => {
  it('resolves once the stores hold their topics up to the end offsets at start', async () => {
    const { global, run } = manager();
    const started = global.start();
    await deliver(await run, [rate(0, '1.1'), rate(1, '1.2')]);
    await expect(started).resolves.toBeUndefined();
    const store = global.stores.get('rates') as KeyValueStore<string, string>;
    expect(await store.get('EUR1')).toBe('1.2');
    await global.close();
  });

  it('fails with VIGIL_ERR_STATE_STORE, instead of waiting forever, when an update fails before the stores caught up', async () => {
    const { global, run } = manager();
    const started = global.start();
    await expect(deliver(await run, [rate(0, 'poison')])).rejects.toThrow('cannot apply this update');
    const error = (await started.catch((e: unknown) => e)) as VigilError;
    expect(error.code).toBe('VIGIL_ERR_STATE_STORE');
    expect(error.message).toContain('rates');
    await global.close();
  });

  it('fails when the consumer stops for good before the stores caught up', async () => {
    const { global, run } = manager();
    const started = global.start();
    (await run).onCrash?.(new Error('broker gone'), false);
    await expect(started).rejects.toMatchObject({ code: 'VIGIL_ERR_STATE_STORE' });
    await global.close();
  });

  it('keeps waiting while the client restarts on its own after a crash', async () => {
    const { global, run } = manager();
    const started = global.start();
    const o = await run;
    o.onCrash?.(new Error('coordinator loading'), true);
    await deliver(o, [rate(0, '1.1'), rate(1, '1.2')]);
    await expect(started).resolves.toBeUndefined();
    await global.close();
  });
});
