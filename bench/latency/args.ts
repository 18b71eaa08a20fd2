/**
 * The latency harness's command line (issue 12 keeps `--quick`, `--backlog N`
 * and `--commit-interval MS` as issue 8 named them). Defaults: bench/README.md.
 */
import { join } from 'node:path';
import { projectRoot } from '../../src/cluster/paths.js';

export type BaseSystem = 'ceiling' | 'vigil-alos' | 'vigil-eos' | 'kstreams-alos' | 'kstreams-eos' | 'flow-alos' | 'flow-eos';
/** A base system, or `vigil-…@<short commit>` for a --compare revision. */
export type SystemName = BaseSystem | `${BaseSystem}@${string}`;
export const ALL_SYSTEMS: BaseSystem[] = ['ceiling', 'vigil-alos', 'vigil-eos', 'kstreams-alos', 'kstreams-eos', 'flow-alos', 'flow-eos'];

export interface Args {
  quick: boolean;
  rounds: number;
  systems: SystemName[];
  /** Fixed rates instead of the search (every one is offered, in order). */
  rates: number[] | null;
  startRate: number;
  maxRate: number;
  resolution: number;
  maxSteps: number;
  stepSeconds: number;
  /** Transactions every system processes before the backlog is timed. */
  warmup: number;
  /** Transactions in the timed backlog, after the warm-up. */
  backlog: number;
  /** Give up on warm-up + backlog after this long and report the rate so far. */
  backlogSeconds: number;
  /** After a step that did not keep up, wait at most this long for the system to catch up. */
  drainSeconds: number;
  name: string;
  out: string;
  cpuProf: boolean;
  commitIntervalMs: number;
  lingerMs: number;
  dedupe: boolean;
  restore: boolean;
  allowNoisy: boolean;
  compare: string | null;
  webhook: boolean;
  /**
   * `multi-region`: transactions are appended on a regional cluster (us-east)
   * and reach the systems on central through MirrorMaker 2, so every
   * latency is regional append → central.
   */
  topology: 'single' | 'multi-region';
}

export const USAGE = `usage: npm run bench -- latency [--quick] [--rounds N] [--systems a,b] [--warmup N] [--backlog N]
       [--commit-interval MS] [--compare <git-rev>] [--start-rate R] [--max-rate R] [--resolution F] [--max-steps N]
       [--rates r1,r2] [--step-seconds S] [--backlog-seconds S] [--drain-seconds S] [--linger-ms MS] [--no-dedupe]
       [--restore | --no-restore] [--webhook] [--topology single|multi-region] [--allow-noisy] [--name NAME] [--out DIR] [--cpu-prof]
systems: ${ALL_SYSTEMS.join(', ')}. Method and defaults: bench/README.md.`;

export function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a non-negative number, not "${v}"\n${USAGE}`);
    return n;
  };
  const quick = argv.includes('--quick');
  const systems = (get('systems')?.split(',') ?? (quick ? ['ceiling', 'vigil-eos', 'kstreams-eos'] : ALL_SYSTEMS)) as BaseSystem[];
  for (const s of systems) if (!ALL_SYSTEMS.includes(s)) throw new Error(`unknown system ${s}; one of ${ALL_SYSTEMS.join(', ')}\n${USAGE}`);
  const rates = get('rates');
  const topology = get('topology') ?? 'single';
  if (topology !== 'single' && topology !== 'multi-region') throw new Error(`--topology takes single or multi-region, not "${topology}"\n${USAGE}`);
  const baseName = quick ? 'latency-quick' : 'latency';
  return {
    quick,
    rounds: num('rounds', quick ? 1 : 3),
    systems,
    rates: rates ? rates.split(',').map(Number) : null,
    startRate: num('start-rate', quick ? 200 : 50),
    maxRate: num('max-rate', quick ? 6_400 : 12_800),
    resolution: num('resolution', quick ? 1.25 : 1.1),
    maxSteps: num('max-steps', quick ? 8 : 14),
    stepSeconds: num('step-seconds', quick ? 4 : 10),
    warmup: num('warmup', 20_000),
    backlog: num('backlog', quick ? 30_000 : 100_000),
    backlogSeconds: num('backlog-seconds', quick ? 150 : 600),
    drainSeconds: num('drain-seconds', quick ? 15 : 30),
    name: get('name') ?? (topology === 'multi-region' ? `${baseName}-multi-region` : baseName),
    out: get('out') ?? join(projectRoot, 'bench', 'results'),
    cpuProf: argv.includes('--cpu-prof'),
    commitIntervalMs: num('commit-interval', 100),
    lingerMs: num('linger-ms', 0),
    dedupe: !argv.includes('--no-dedupe'),
    // Quick mode leaves the restore out to stay under 5 minutes; --restore puts it back.
    restore: argv.includes('--restore') || (!quick && !argv.includes('--no-restore')),
    allowNoisy: argv.includes('--allow-noisy'),
    // The real dispatcher delivers every system's alerts to a local receiver: append → webhook 2xx per step.
    webhook: argv.includes('--webhook'),
    compare: get('compare') ?? null,
    topology,
  };
}

