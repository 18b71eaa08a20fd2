// `npm run bench -- chaos [--soak] [--rounds N] [--only name,...]`: the chaos
// scenarios of test/chaos, scaled up and repeated, with every round's measured
// numbers collected in bench/results/<date>-chaos[-soak].{json,md}.
//
// The CI runs each scenario once at its test size; a soak run is what finds
// the one-in-ten failures (a lost alert, a stuck consumer) that a single CI
// run misses. Every round starts its own chaos cluster (vitest's global
// setup) and stops it, so rounds do not share state.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../../src/cluster/paths.js';
import { QUIET_LOAD_LIMIT, sampleLoad } from '../latency/guard.js';
import { loadLine } from '../latency/report.js';

const USAGE = `usage: npm run bench -- chaos [options]

Runs the chaos scenarios (test/chaos) round after round and collects what each
round measured (lost, duplicated, recovery times) into bench/results/.

  --soak          heavier settings: 20 engine kills per round on ~200k transactions,
                  a 120 s receiver outage, 5 rounds (default: the CI sizes, 1 round)
  --rounds N      how many rounds (overrides --soak's 5)
  --only a,b      scenario files to run, by name: engine-kill, broker-restart,
                  delivery, mirror-restart, state-corruption (default: all)
  --keep-going    run every round even after a failed one (default: stop at the first)
  -h, --help      this text
`;

const { values } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const ROOT = projectRoot;
const CHAOS_DIR = join(ROOT, 'test', 'chaos');
const RESULTS = join(CHAOS_DIR, '.results');
const scenarios = readdirSync(CHAOS_DIR)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.test\.ts$/, ''))
  .sort();
const only = values.only ? values.only.split(',').map((s) => s.trim()) : scenarios;
const unknown = only.filter((s) => !scenarios.includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.join(', ')}\n`);
  process.exit(2);
}
const rounds = Number(values.rounds ?? (values.soak ? 5 : 1));
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  process.stderr.write(`--rounds must be a positive integer, got ${values.rounds}\n`);
  process.exit(2);
}
// Scale knobs the scenarios read (see their headers).
const scale: Record<string, string> = values.soak ? { VIGIL_CHAOS_KILLS: '20', VIGIL_CHAOS_USERS: '4200', VIGIL_CHAOS_DAYS: '16', VIGIL_CHAOS_OUTAGE_MS: '120000' } : {};

interface Round {
  round: number;
  ok: boolean;
  seconds: number;
  results: Record<string, unknown>;
}

function runRound(round: number): Promise<Round> {
  rmSync(RESULTS, { recursive: true, force: true });
  const started = Date.now();
  const files = only.map((s) => join('test', 'chaos', `${s}.test.ts`));
  process.stdout.write(`\n[${round}/${rounds}] ${only.join(', ')} ${Object.keys(scale).length > 0 ? JSON.stringify(scale) : ''}\n`);
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'chaos', ...files], {
    cwd: ROOT,
    env: { ...process.env, ...scale },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const results: Record<string, unknown> = {};
      if (existsSync(RESULTS)) {
        for (const f of readdirSync(RESULTS)) results[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(RESULTS, f), 'utf8'));
      }
      resolve({ round, ok: code === 0, seconds: Math.round((Date.now() - started) / 1000), results });
    });
  });
}

/** One line per scenario and round: what was lost or duplicated. */
function summaryRow(round: Round, name: string, r: Record<string, unknown>): string {
  const alerts = r.alerts as { expected?: number; lost?: number; duplicated?: number } | undefined;
  const webhook = r.webhook as { alerts?: number; lost?: number; duplicatesAfterDedupe?: number } | undefined;
  const lost = alerts?.lost ?? webhook?.lost ?? r.lost ?? '';
  const duplicated = alerts?.duplicated ?? webhook?.duplicatesAfterDedupe ?? r.duplicated ?? r.duplicatedInMirroredTopics ?? '';
  const size = r.transactions ?? alerts?.expected ?? webhook?.alerts ?? '';
  return `| ${round.round} | ${name} | ${size} | ${String(lost)} | ${String(duplicated)} | ${r.seed ?? ''} |`;
}

// A soak checks correctness, not speed, so a busy machine does not stop it; the results say how busy it was.
const loadAtStart = await sampleLoad();
const rows: Round[] = [];
for (let i = 1; i <= rounds; i++) {
  const r = await runRound(i);
  rows.push(r);
  process.stdout.write(`[${i}/${rounds}] ${r.ok ? 'green' : 'RED'} in ${r.seconds} s; ${Object.keys(r.results).length} scenario result(s)\n`);
  if (!r.ok && !values['keep-going']) break;
}

const date = new Date().toISOString().slice(0, 10);
const name = `${date}-chaos${values.soak ? '-soak' : ''}`;
const outDir = join(ROOT, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const loadAtEnd = await sampleLoad();
const quietAtStart = (loadAtStart.loadAverage[0] ?? Number.POSITIVE_INFINITY) <= QUIET_LOAD_LIMIT;
// The flat 1/5/15-minute averages are the fields every results file has (the latency runs, the older soaks); the samples add steal and busy.
const machine = {
  cpus: cpus().length,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart: loadAtStart.loadAverage,
  loadAverageAtEnd: loadAtEnd.loadAverage,
  quietAtStart,
  loadAtStart,
  loadAtEnd,
};
writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ name, machine, scale, scenarios: only, rounds: rows }, null, 2)}\n`);
const md = [
  `# Chaos ${values.soak ? 'soak ' : ''}run ${date}`,
  '',
  `${rows.length} round(s) of ${only.join(', ')}; scale ${JSON.stringify(scale)}; ${machine.cpus} cores, ${machine.memGiB} GiB, Node ${machine.node}.`,
  `Load ${loadLine(loadAtStart)} at the start (${quietAtStart ? 'quiet' : '**not quiet**'}: 1-minute limit ${QUIET_LOAD_LIMIT}), ${loadLine(loadAtEnd)} at the end (the run's own clusters included).`,
  '',
  '| round | scenario | transactions / alerts | lost | duplicated | seed |',
  '|---|---|---|---|---|---|',
  ...rows.flatMap((round) => Object.entries(round.results).map(([n, r]) => summaryRow(round, n, r as Record<string, unknown>))),
  '',
  `Rounds green: ${rows.filter((r) => r.ok).length} of ${rows.length}.`,
  '',
];
writeFileSync(join(outDir, `${name}.md`), md.join('\n'));
process.stdout.write(`\nresults: bench/results/${name}.json and .md\n`);
process.exit(rows.every((r) => r.ok) ? 0 : 1);
