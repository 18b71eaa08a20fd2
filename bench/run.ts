// `npm run bench -- <name> [options]`: runs one benchmark in its own process.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchmarks: Record<string, { file: string; about: string }> = {
  engine: { file: 'engine/topology.ts', about: 'windowed count + hopping sum + stream-table join through StreamTask; memory, LevelDB+cache, LevelDB' },
  stores: { file: 'engine/stores-direct.ts', about: 'the same store operations without the DSL' },
  runtime: { file: 'runtime/kafka-streams.ts', about: 'KafkaStreams on the real broker, both guarantees, against a bare consume loop' },
  webhook: { file: 'webhook/latency.ts', about: 'alert append → receiver 2xx, healthy endpoint alone and beside a dead one' },
  latency: { file: 'latency/main.ts', about: 'warm backlog throughput and open-loop latency: Vigil vs Kafka Streams vs a consume ceiling (--quick: under 5 min, quiet machine)' },
  report: { file: 'latency/readme.ts', about: "bench/README.md's latency headline from the newest quiet run in bench/results" },
  chaos: { file: 'chaos/soak.ts', about: 'the chaos scenarios (test/chaos) repeated and collected; --soak: 20 kills on ~200k transactions, 5 rounds' },
  mirror: { file: 'mirror/latency.ts', about: 'MirrorMaker 2: regional append → mirrored on central per MM2 setting; --e2e: → alert (multi-region cluster)' },
};

// `npm run bench -- --quick` (issue 8's smoke run) is the latency harness's quick mode.
const argv = process.argv.slice(2);
const [name, ...rest] = argv[0] === '--quick' ? ['latency', ...argv] : argv;
const bench = name ? benchmarks[name] : undefined;
if (!bench) {
  const out = name && name !== '--help' && name !== '-h' ? process.stderr : process.stdout;
  out.write('usage: npm run bench -- <name> [options]   (results and method: bench/README.md)\n\n');
  for (const [n, b] of Object.entries(benchmarks)) out.write(`  ${n.padEnd(8)} ${b.about}\n`);
  process.exit(out === process.stdout ? 0 : 2);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, bench.file), ...rest], { stdio: 'inherit' });
process.exit(res.status ?? 1);
