/**
 * Store-level benchmark: the per-record store operations of the engine
 * benchmark's topology, issued straight against the stores (no topology,
 * no serdes of records, no forwarding). It isolates what the store stack
 * costs per record so the topology figures can be read against it.
 *
 * Per stream record: the tumbling count (fetch + put), the hopping sum
 * (fetch + put in each of its 5 windows) and the join lookup (get); per
 * table update: one put. Stores are flushed every --commit-every records,
 * as the engine does at commit.
 *
 * Run: npx tsx bench/engine/stores-direct.ts [--records 1000000] [--keys 100000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Serdes } from '../../src/streams/serde/serdes.js';
import { Stores } from '../../src/streams/state/index.js';
import type { KeyValueStore, StateStore, WindowStore } from '../../src/streams/state/index.js';
import { RunTimer, formatTable, type RunResult } from './stats.js';
import { WINDOW, generateRecords, parseArgs, type BenchArgs } from './workload.js';

interface Setup {
  readonly persistent: boolean;
  readonly cached: boolean;
}

const SETUPS: Record<string, Setup> = {
  memory: { persistent: false, cached: false },
  'leveldb-cache': { persistent: true, cached: true },
  leveldb: { persistent: true, cached: false },
};

async function run(name: string, setup: Setup, args: BenchArgs): Promise<RunResult> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  const layers = <B extends { withCachingEnabled(): B; withCachingDisabled(): B; withLoggingEnabled(): B }>(b: B): B =>
    (setup.cached ? b.withCachingEnabled() : b.withCachingDisabled()).withLoggingEnabled();
  const retention = (size: number) => size + WINDOW.graceMs;
  const counts: WindowStore<string, number> = layers(
    Stores.windowStoreBuilder(
      setup.persistent
        ? Stores.persistentWindowStore('counts', retention(WINDOW.countSizeMs), WINDOW.countSizeMs)
        : Stores.inMemoryWindowStore('counts', retention(WINDOW.countSizeMs), WINDOW.countSizeMs),
      Serdes.String(),
      Serdes.Long(),
    ),
  ).build();
  const sums: WindowStore<string, number> = layers(
    Stores.windowStoreBuilder(
      setup.persistent
        ? Stores.persistentWindowStore('sums', retention(WINDOW.sumSizeMs), WINDOW.sumSizeMs)
        : Stores.inMemoryWindowStore('sums', retention(WINDOW.sumSizeMs), WINDOW.sumSizeMs),
      Serdes.String(),
      Serdes.Long(),
    ),
  ).build();
  const table: KeyValueStore<string, number> = layers(
    Stores.keyValueStoreBuilder(
      setup.persistent ? Stores.persistentKeyValueStore('profiles') : Stores.inMemoryKeyValueStore('profiles'),
      Serdes.String(),
      Serdes.Long(),
    ),
  ).build();
  const stores: StateStore[] = [counts, sums, table];
  let changes = 0;
  const context = { applicationId: 'bench', taskId: '0_0', stateDir, onChange: () => void changes++ };
  for (const store of stores) await store.init(context);

  const timer = new RunTimer();
  let processed = 0;
  let joined = 0;
  for (const record of generateRecords(args)) {
    await timer.time(async () => {
      if (record.isTableUpdate) {
        await table.put(record.key, record.amount % 5);
      } else {
        const countStart = record.timestamp - (record.timestamp % WINDOW.countSizeMs);
        await counts.put(record.key, ((await counts.fetch(record.key, countStart)) ?? 0) + 1, countStart);
        const lastStart = record.timestamp - (record.timestamp % WINDOW.sumAdvanceMs);
        for (let start = lastStart; start > record.timestamp - WINDOW.sumSizeMs; start -= WINDOW.sumAdvanceMs) {
          await sums.put(record.key, ((await sums.fetch(record.key, start)) ?? 0) + record.amount, start);
        }
        if ((await table.get(record.key)) !== undefined) joined++;
      }
      if (++processed % args.commitEvery === 0) for (const store of stores) await store.flush();
    });
  }
  for (const store of stores) await store.flush();
  const result = timer.finish(name);
  for (const store of stores) await store.close();
  await rm(stateDir, { recursive: true, force: true });
  console.error(`${name}: ${joined} joined, ${changes} changelog records`);
  return result;
}

const args = parseArgs(process.argv.slice(2));
const results: RunResult[] = [];
for (const name of args.setups) {
  const setup = SETUPS[name];
  if (setup === undefined) throw new Error(`unknown setup ${name}; use ${Object.keys(SETUPS).join(', ')}`);
  results.push(await run(name, setup, args));
}
console.log(`store-level, ${args.records} records, ${args.keys} keys, commit every ${args.commitEvery}`);
console.log(formatTable(results));
