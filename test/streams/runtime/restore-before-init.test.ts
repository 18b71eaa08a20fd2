import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { KeyValueStore } from '../../../src/streams/state/types.js';
import { Stores } from '../../../src/streams/state/stores.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import type { ProcessorContext } from '../../../src/streams/processor/processor.js';
import type { KafkaAdmin, KafkaConsumer, KafkaProducer, RunOptions } from '../../../src/streams/kafka/index.js';
import { kafkaStreamsOptions } from '../../../src/streams/runtime/options.js';
import type { RestoreRequest } from '../../../src/streams/runtime/restorer.js';
import { StreamThread } from '../../../src/streams/runtime/stream-thread.js';
import { planTopicLayout } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

// The changelog holds one entry; the fake restorer applies it as the real one would.
vi.mock('../../../src/streams/runtime/restorer.js', () => ({
  restorePartitions: async (requests: RestoreRequest[]) => {
    for (const r of requests) await r.apply([{ key: Buffer.from('pending-1'), value: Buffer.from('from the changelog') }], 1);
  },
}));

const S = Serdes.String();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('StreamThread restoration (fake Kafka clients)', () => {
  it("runs processors' init after their stores are restored, so work a crashed instance left in a store is resumed", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-restore-'));
    dirs.push(stateDir);
    const seenAtInit: string[] = [];
    const plan = new Topology()
      .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
      .addProcessor('resumer', () => ({
        // Like the fraud ScoringProcessor: init picks up what the buffer store holds.
        async init(context: ProcessorContext<string, string>) {
          const buffer = context.getStateStore<KeyValueStore<string, string>>('buffer');
          for await (const { key, value } of buffer.all()) seenAtInit.push(`${key}=${value}`);
        },
        process: async () => {},
      }), 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('buffer'), S, S), 'resumer')[TOPOLOGY_INTERNALS]
      .plan('app');
    const { streams, runtime } = kafkaStreamsOptions({ applicationId: 'app', brokers: ['h:1'], processingGuarantee: 'exactly_once', stateDir, clock: new ManualClock(0) });
    const layout = planTopicLayout(plan, 'app', new Map([['in', 1]]), new Map([[0, ['buffer']]]));
    let run: RunOptions | undefined;
    const consumer = {
      subscribe: async () => {},
      run: async (o: RunOptions) => void (run = o),
      commit: async () => {},
      seek: () => {},
      pause: () => {},
      resume: () => {},
      close: async () => {},
    } as unknown as KafkaConsumer;
    const producer = { send: async () => [], transaction: async () => ({}), close: async () => {} } as unknown as KafkaProducer;
    const admin = { partitionCount: async () => 1, endOffsets: async () => [{ partition: 0, offset: '1' }] } as unknown as KafkaAdmin;
    const thread = new StreamThread({
      config: streamsConfig(streams),
      options: runtime,
      plan,
      layout,
      connection: { brokers: ['h:1'] },
      admin,
      consumer,
      producer,
      onFatal: () => {},
      onRebalance: () => {},
    });
    await thread.start();
    run?.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['in', [0]]]) });
    await vi.waitFor(() => expect(seenAtInit).toEqual(['pending-1=from the changelog']));
    await thread.abandon();
  });
});
