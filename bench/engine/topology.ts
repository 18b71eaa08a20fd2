/**
 * Engine benchmark (issue 3): a windowed count, a sum over a hopping
 * window and a KStream–KTable join, built with the DSL and run through
 * StreamTask, the processing path both the runtime and the
 * TopologyTestDriver use. Three store setups run in one process, on the
 * same seeded input:
 *
 * - memory:         in-memory stores, no cache
 * - leveldb-cache:  LevelDB stores with the write-back cache
 * - leveldb:        LevelDB stores without the cache
 *
 * Commits (store flushes) happen every --commit-every records, as the
 * runtime commits on an interval. (The TopologyTestDriver commits after
 * every record, which would measure commit cost, not processing; pass
 * --commit-every 1 to see that.) Changelog hooks are on, counted, not sent.
 *
 * Run: npx tsx bench/engine/topology.ts [--records 1000000] [--keys 100000]
 *        [--commit-every 10000] [--setups memory,leveldb-cache,leveldb]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  Consumed,
  EMPTY_HEADERS,
  Grouped,
  ManualClock,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  streamsConfig,
  type StoreType,
  type Topology,
} from '../../src/streams/index.js';
// The engine benchmark drives a task directly, as the runtime does: internals, not the public API.
import { StreamTask } from '../../src/streams/processor/internal/stream-task.js';
import type { ConsumedRecord } from '../../src/streams/processor/internal/record-collector.js';
import { RunTimer, formatTable, type RunResult } from './stats.js';
import { WINDOW, generateRecords, parseArgs, type BenchArgs } from './workload.js';
import { TOPOLOGY_INTERNALS } from '../../src/streams/processor/internal/topology-internals.js';

const SETUPS: Record<string, { storeType: StoreType; caching: boolean }> = {
  memory: { storeType: 'memory', caching: false },
  'leveldb-cache': { storeType: 'leveldb', caching: true },
  leveldb: { storeType: 'leveldb', caching: false },
  'memory-cache': { storeType: 'memory', caching: true },
};

export function benchTopology(): Topology {
  const S = Serdes.String();
  const L = Serdes.Long();
  const builder = new StreamsBuilder();
  const profiles = builder.table('profiles', Consumed.with(S, L), Materialized.as<string, number>('profiles-store'));
  const transactions = builder.stream('transactions', Consumed.with(S, L));
  const byAccount = transactions.groupByKey(Grouped.with(S, L));
  byAccount
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW.countSizeMs, WINDOW.graceMs))
    .count(Materialized.as('tx-count-1m'))
    .toStream()
    .to('tx-count-1m', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, WINDOW.countSizeMs), L));
  byAccount
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW.sumSizeMs, WINDOW.graceMs).advanceBy(WINDOW.sumAdvanceMs))
    .reduce((a: number, b: number) => a + b, Materialized.as('tx-sum-5m'))
    .toStream()
    .to('tx-sum-5m', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, WINDOW.sumSizeMs), L));
  transactions
    .join(profiles, (amount: number, tier: number) => amount * (tier + 1))
    .to('tx-enriched', Produced.with(S, L));
  return builder.build();
}

async function run(name: string, args: BenchArgs): Promise<RunResult> {
  const setup = SETUPS[name];
  if (setup === undefined) throw new Error(`unknown setup ${name}; use ${Object.keys(SETUPS).join(', ')}`);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  const config = streamsConfig({
    applicationId: 'bench',
    stateDir,
    defaultStoreType: setup.storeType,
    cachingEnabled: setup.caching,
    loggingEnabled: true,
  });
  const plan = benchTopology()[TOPOLOGY_INTERNALS].plan(config.applicationId);
  let produced = 0;
  let changes = 0;
  const tasks = plan.subtopologies.map(
    (subtopology) =>
      new StreamTask({
        plan: subtopology,
        partition: 0,
        config,
        clock: new ManualClock(0),
        collector: { send: () => void produced++ },
        onStoreChange: () => void changes++,
      }),
  );
  if (tasks.length !== 1) throw new Error(`expected one co-partitioned sub-topology, got ${tasks.length}`);
  const task = tasks[0] as StreamTask;
  await task.initialize();

  const S = Serdes.String();
  const L = Serdes.Long();
  // Serialize up front: the timer measures processing, not input generation.
  const input: ConsumedRecord[] = [];
  let offset = 0;
  for (const record of generateRecords(args)) {
    input.push({
      topic: record.isTableUpdate ? 'profiles' : 'transactions',
      partition: 0,
      offset: String(offset++),
      key: S.serialize('', record.key),
      value: L.serialize('', record.isTableUpdate ? record.amount % 5 : record.amount),
      timestamp: record.timestamp,
      headers: EMPTY_HEADERS,
    });
  }

  const timer = new RunTimer();
  let commits = 0;
  for (let i = 0; i < input.length; i++) {
    await timer.time(async () => {
      await task.process(input[i] as ConsumedRecord);
      if ((i + 1) % args.commitEvery === 0 || task.commitRequested) {
        await task.commit();
        commits++;
      }
    });
    if ((i + 1) % 100_000 === 0) console.error(`${name}: ${i + 1} records`);
  }
  await task.commit();
  const result = timer.finish(name);
  await task.close();
  await rm(stateDir, { recursive: true, force: true });
  console.error(`${name}: ${produced} records produced, ${changes} changelog records, ${commits} commits`);
  return result;
}

const args = parseArgs(process.argv.slice(2));
const results: RunResult[] = [];
for (const name of args.setups) {
  results.push(await run(name, args));
  // Each setup's row as soon as it is measured, so a long run that is cut short still reports.
  console.error(formatTable(results.slice(-1)));
}
console.log(
  `topology (windowed count 1m + hopping sum 5m/1m + stream-table join), ${args.records} records, ${args.keys} keys, commit every ${args.commitEvery}`,
);
console.log(formatTable(results));
