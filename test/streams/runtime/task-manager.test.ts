import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { streamsConfig } from '../../../src/streams/config.js';
import type { ProcessorContext } from '../../../src/streams/processor/processor.js';
import type { Record } from '../../../src/streams/processor/record.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { ChangelogReader } from '../../../src/streams/runtime/changelog-reader.js';
import { readCheckpoint } from '../../../src/streams/runtime/checkpoint-file.js';
import type { KafkaProducer, KafkaTransaction, ProducedRecord } from '../../../src/streams/kafka/index.js';
import { noopLogger } from '../../../src/streams/runtime/logger.js';
import { RecordCollector } from '../../../src/streams/runtime/record-collector.js';
import { StateDirectory } from '../../../src/streams/runtime/state-directory.js';
import { TaskManager } from '../../../src/streams/runtime/task-manager.js';
import { planTopicLayout } from '../../../src/streams/runtime/topic-layout.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { Stores } from '../../../src/streams/state/stores.js';
import type { KeyValueStore } from '../../../src/streams/state/types.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { TOPOLOGY_INTERNALS } from '../../../src/streams/processor/internal/topology-internals.js';

const S = Serdes.String();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** in → counts store (logged, persistent) → out; a wall-clock punctuator every 25 ms. */
function manager(exactlyOnce = false) {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-tm-'));
  dirs.push(stateDir);
  const clock = new ManualClock(0);
  const plan = new Topology()
    .addSource('src', { topics: ['in'], keySerde: S, valueSerde: S })
    .addProcessor(
      'count',
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init(context: ProcessorContext<string, string>) {
            ctx = context;
            context.schedule(25, 'WALL_CLOCK_TIME', () => {});
          },
          async process(record: Record<string, string>) {
            await ctx.getStateStore<KeyValueStore<string, string>>('counts').put(record.key, record.value);
            await ctx.forward(record);
          },
        };
      },
      'src',
    )
    .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), S, S).withCachingDisabled(), 'count')
    .addSink('sink', 'out', { keySerde: S, valueSerde: S }, 'count')[TOPOLOGY_INTERNALS]
    .plan('app');
  const config = streamsConfig({ applicationId: 'app', stateDir, commitIntervalMs: 100 });
  const layout = planTopicLayout(plan, 'app', new Map([['in', 2]]), new Map([[0, ['counts']]]));
  const transactions: ProducedRecord[][] = [];
  const producer: KafkaProducer = {
    send: async (records) => records.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: '0', logAppendTime: -1 })),
    transaction: async () => {
      const records: ProducedRecord[] = [];
      transactions.push(records);
      const tx: KafkaTransaction = {
        send: async (rs) => {
          records.push(...rs);
          return rs.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: '7', logAppendTime: -1 }));
        },
        sendOffsets: async () => {},
        commit: async () => {},
        abort: async () => {},
      };
      return tx;
    },
    close: async () => {},
  };
  const collector = new RecordCollector({
    producer,
    admin: { partitionCount: async () => 2 },
    exactlyOnce,
    applicationId: 'app',
    productionExceptionHandler: () => 'FAIL',
    commitOffsets: async () => {},
    logger: noopLogger,
  });
  const stateDirectory = new StateDirectory({ stateDir, applicationId: 'app', exactlyOnce, logger: noopLogger, instanceId: 'a' });
  const changelogReader = new ChangelogReader({
    admin: { endOffsets: async () => [] },
    connection: { brokers: ['h:1'] },
    groupId: 'g',
    exactlyOnce,
    logger: noopLogger,
    now: () => clock.now(),
    writtenEnd: () => undefined,
    cancelled: () => false,
    restore: async () => {},
  });
  const tasks = new TaskManager({ config, plan, layout, stateDirectory, collector, changelogReader, clock, logger: noopLogger, exactlyOnce });
  const consume = async (partition: number, offset: number, key: string) => {
    const h = tasks.route('in', partition);
    if (!h) throw new Error(`no task reads in-${partition}`);
    await h.task.process({ topic: 'in', partition, offset: String(offset), key: Buffer.from(key), value: Buffer.from('v'), timestamp: 1, headers: new Map() });
    h.offsets.set('in', BigInt(offset) + 1n);
  };
  const taskDir = (id: string) => join(stateDir, 'app', id);
  return { tasks, collector, consume, taskDir, clock, transactions };
}

describe('TaskManager', () => {
  it('creates one task per assigned partition and routes each source partition to it', async () => {
    const { tasks } = manager();
    expect(await tasks.assign(new Map([['in', [0, 1]]]))).toEqual(['0_0', '0_1']);
    expect(tasks.route('in', 1)?.task.id).toBe('0_1');
    expect(tasks.route('other', 1)).toBeUndefined();
    await tasks.closeAll(() => true);
  });

  it('closes a revoked task with nothing uncommitted cleanly: its checkpoint is written and its state kept', async () => {
    const { tasks, consume, taskDir } = manager();
    await tasks.assign(new Map([['in', [0, 1]]]));
    await consume(1, 0, 'card');
    await tasks.commit(() => false);
    await tasks.assign(new Map([['in', [0]]]));
    expect(tasks.taskIds()).toEqual(['0_0']);
    expect(await readCheckpoint(taskDir('0_1'))).toEqual(new Map([['counts', 1n]]));
    await tasks.closeAll(() => true);
  });

  it('closes a revoked task holding uncommitted work dirty: its output is dropped and its state wiped', async () => {
    const { tasks, consume, taskDir, collector } = manager();
    await tasks.assign(new Map([['in', [0, 1]]]));
    await consume(1, 0, 'card');
    await tasks.assign(new Map([['in', [0]]]));
    expect(collector.buffered).toBe(0);
    expect(existsSync(taskDir('0_1'))).toBe(false);
    await tasks.closeAll(() => true);
  });

  it('commits the output and the consumed offsets of every task, then moves each changelog position past its writes', async () => {
    const { tasks, consume, transactions } = manager(true);
    await tasks.assign(new Map([['in', [0]]]));
    await consume(0, 4, 'card');
    expect(tasks.offsetsToCommit()).toEqual([{ topic: 'in', partition: 0, offset: '5' }]);
    expect(await tasks.commit(() => false)).toEqual({ records: 2, offsets: 1 });
    expect(transactions[0]?.map((r) => r.topic).sort()).toEqual(['app-counts-changelog', 'out']);
    expect(tasks.offsetsToCommit()).toEqual([]);
    expect(tasks.route('in', 0)?.changelogPositions.get('counts')).toBe(8n);
    expect(await tasks.commit(() => false)).toEqual({ records: 0, offsets: 0 });
    await tasks.closeAll(() => true);
  });

  it('knows when the earliest wall-clock punctuator of its tasks is due', async () => {
    const { tasks, clock } = manager();
    expect(tasks.nextWallClockPunctuationMs()).toBeUndefined();
    await tasks.assign(new Map([['in', [0]]]));
    clock.advance(10);
    await tasks.assign(new Map([['in', [0, 1]]]));
    expect(tasks.nextWallClockPunctuationMs()).toBe(25);
    clock.advance(15);
    await tasks.punctuateWallClock();
    expect(tasks.nextWallClockPunctuationMs()).toBe(35);
    await tasks.closeAll(() => true);
  });
});
