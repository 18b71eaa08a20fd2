/**
 * Results of a latency run: the JSON (everything, histograms included), a
 * markdown report with every figure as the median over rounds and its
 * min–max, and three hand-written SVG charts: p99 of append → alert against
 * the offered rate (one line per system and round, the budget dashed, both
 * axes logarithmic), backlog throughput bars, and CPU ms per transaction
 * beside peak RSS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Histogram, LatencySummary } from './histogram.js';
import type { PerfTestResult } from './children.js';
import type { MachineLoad, Provenance } from './guard.js';
import type { ProcUsage } from './proc-stats.js';
import { budgetP99, withinBudgetRate } from './rate-search.js';

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  delivered: number;
  /** Offered rate × the share of the step's transactions alerted by the end of its settle time. */
  deliveredRate: number;
  /** Alerts per second between the step's first and last alert (what the system wrote; informative). */
  alertRate?: number | null;
  /** How much longer than planned the producer took to offer the step (harness starved of CPU). */
  producerLateMs: number;
  /** Broker append of the transaction → broker append of its alert (ceiling: → receipt by the consumer). */
  appendToAlert: LatencySummary;
  /** → the alert seen by a read_committed consumer (what a downstream sees; adds the transaction commit under exactly-once). */
  appendToVisible: LatencySummary | null;
  /** --webhook: → the dispatcher's signed POST of the alert answered 2xx by a local receiver (what the dashboard's endpoint sees). */
  appendToWebhook?: LatencySummary | null;
  histogram: ReturnType<Histogram['toJSON']>;
  procs: ProcUsage[];
  /** CPU time of the system's process per delivered transaction: less sensitive to a shared machine than latency. */
  sutCpuMsPerTx: number | null;
  /** Delivered ≥ 98 % of the offered rate and the lag did not grow (rate-search.ts); latency plays no part. */
  keptUp: boolean;
  /** Growth of the lag over the step (least-squares slope × seconds), transactions. */
  lagGrowth: number;
  /** Lag readings, one a second: [seconds into the step, transactions behind]. */
  lag: Array<[number, number]>;
  /** Kept up with p99 within the budget (the ceiling: kept up). */
  ok: boolean;
  wallStart: string;
}

export interface SystemRun {
  system: string;
  round: number;
  /** Cold start: spawn → RUNNING, with an empty state directory and nothing to restore. */
  startupSeconds: number;
  /** Same application id, empty state directory after the run: spawn → RUNNING, restore included (null: not measured). */
  restoreSeconds: number | null;
  /** RUNNING → the last warm-up alert visible. */
  warmup: { records: number; seconds: number };
  steps: StepResult[];
  /** Kept from issue 8's JSON: the same as withinBudgetRate. */
  maxRateAtBudget: number;
  /** Highest tested rate such that it and every lower tested rate kept up within the budget. */
  withinBudgetRate: number;
  /** Highest rate kept up below the lowest that was not (the rate search's result). */
  sustainableRate: number;
  /** The search stopped at --max-rate: the sustainable rate is at least this. */
  sustainableCapped: boolean;
  backlog: {
    records: number;
    seconds: number;
    recordsPerSecond: number;
    procs: ProcUsage[];
    complete?: boolean;
    /** Transactions alerted inside the backlog window (backlog ones and any warm-up ones of partitions that were late): recordsPerSecond's numerator. */
    recordsInWindow?: number;
    /** System CPU ms per transaction over the backlog window. */
    cpuMsPerTx?: number | null;
    /** SHA-256 over partition, key and value of the pre-produced warm-up and backlog: equal for every system. */
    sha256?: string;
    perfTest?: PerfTestResult | { error: string };
  };
  sendFailures: number;
  /** Vigil only: its commit durations over the latency steps (the output of a commit waits for it). */
  engineStats?: object;
}

export interface RunResult {
  name: string;
  date: string;
  finished: string;
  /** Started above the quiet-machine limit (--allow-noisy) or ended above it: never fed to the README. */
  noisy?: boolean;
  machine: {
    cpus: number;
    cpuModel: string;
    memGiB: number;
    kernel: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
    loadAtStart?: MachineLoad;
    loadAtEnd?: MachineLoad;
  };
  /** The commit read before the run started, and whether the tree was dirty. */
  provenance?: Provenance;
  versions: Record<string, string>;
  compare?: { rev: string; commit: string } | null;
  args: object;
  budgetMs: number;
  partitions: number;
  /** `single`, or how the multi-region mode routes the transactions (absent in older runs: single). */
  topology?: string;
  fixture: string;
  /** Every system got the same pre-produced bytes (one SHA-256 across runs). */
  backlogIdentical?: boolean;
  runs: SystemRun[];
}

const COLORS: Record<string, string> = {
  ceiling: '#7f7f7f',
  'vigil-alos': '#1f77b4',
  'vigil-eos': '#17becf',
  'kstreams-alos': '#d62728',
  'kstreams-eos': '#ff7f0e',
  'flow-alos': '#2ca02c',
  'flow-eos': '#98df8a',
};

/** A --compare revision (`vigil-eos@abc1234`) is drawn in its base system's colour, dashed. */
const colorOf = (system: string): string => COLORS[system.split('@')[0] as string] ?? '#000';
const dashOf = (system: string): string => (system.includes('@') ? ' stroke-dasharray="5 3"' : '');


export const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Median, min and max of the finite values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: readonly number[]): Spread {
  const f = xs.filter((x) => Number.isFinite(x));
  return { median: median(f), min: f.length ? Math.min(...f) : Number.NaN, max: f.length ? Math.max(...f) : Number.NaN, n: f.length };
}

const fmt = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

/** "median (min–max)", or the median alone for one round. */
export function showSpread(s: Spread, digits = 0, prefix = ''): string {
  if (s.n === 0) return '–';
  return s.n > 1 && s.min !== s.max ? `${prefix}${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})` : `${prefix}${fmt(s.median, digits)}`;
}

/** Peak RSS of the system's process over the run (steps and backlog). */
const peakRss = (run: SystemRun): number => Math.max(0, ...[...run.steps.flatMap((s) => s.procs), ...run.backlog.procs].filter((p) => p.name === 'sut').map((p) => p.maxRssMiB));

/** The within-budget rate by the contiguous rule, recomputed so older JSON (issue 8) reads the same way. */
export function withinBudget(run: SystemRun, budgetMs: number): number {
  const ceiling = run.system === 'ceiling';
  return withinBudgetRate(
    run.steps.map((s) => ({ rate: s.rate, keptUp: s.keptUp ?? (s.delivered >= s.sent && s.deliveredRate >= s.rate * 0.95), p99: budgetP99(s, ceiling) })),
    budgetMs,
  );
}

export interface SystemSummary {
  system: string;
  rounds: number;
  backlog: Spread;
  sustainable: Spread;
  sustainableCapped: boolean;
  withinBudget: Spread;
  backlogCpuMsPerTx: Spread;
  peakRssMiB: Spread;
  startupSeconds: Spread;
  restoreSeconds: Spread;
  warmupSeconds: Spread;
  /** Per offered rate tested in every round: p99 append → alert and → visible. */
  p99ByRate: Map<number, { alert: Spread; visible: Spread; webhook: Spread }>;
}

export function summarizeSystems(r: RunResult): SystemSummary[] {
  const systems = [...new Set(r.runs.map((x) => x.system))];
  return systems.map((system) => {
    const runs = r.runs.filter((x) => x.system === system);
    const rates = [...new Set(runs.flatMap((x) => x.steps.map((s) => s.rate)))].sort((a, b) => a - b);
    const p99ByRate = new Map<number, { alert: Spread; visible: Spread; webhook: Spread }>();
    for (const rate of rates) {
      const steps = runs.map((x) => x.steps.find((s) => s.rate === rate)).filter((s): s is StepResult => s !== undefined);
      if (steps.length < runs.length) continue;
      p99ByRate.set(rate, {
        alert: spread(steps.map((s) => s.appendToAlert.p99)),
        visible: spread(steps.map((s) => s.appendToVisible?.p99 ?? Number.NaN)),
        webhook: spread(steps.map((s) => s.appendToWebhook?.p99 ?? Number.NaN)),
      });
    }
    return {
      system,
      rounds: runs.length,
      backlog: spread(runs.map((x) => (x.backlog.complete === false ? Number.NaN : x.backlog.recordsPerSecond))),
      sustainable: spread(runs.map((x) => x.sustainableRate ?? Number.NaN)),
      sustainableCapped: runs.some((x) => x.sustainableCapped),
      withinBudget: spread(runs.map((x) => withinBudget(x, r.budgetMs))),
      backlogCpuMsPerTx: spread(runs.map((x) => x.backlog.cpuMsPerTx ?? Number.NaN)),
      peakRssMiB: spread(runs.map(peakRss)),
      startupSeconds: spread(runs.map((x) => Math.round(x.startupSeconds * 10) / 10)),
      restoreSeconds: spread(runs.map((x) => (x.restoreSeconds === null || x.restoreSeconds === undefined ? Number.NaN : Math.round(x.restoreSeconds * 10) / 10))),
      warmupSeconds: spread(runs.map((x) => (x.warmup ? Math.round(x.warmup.seconds * 10) / 10 : Number.NaN))),
      p99ByRate,
    };
  });
}

/** The system a Vigil system is compared with: Kafka Streams under the same guarantee. */
const referenceOf = (system: string): string | undefined => {
  const base = system.split('@')[0] as string;
  return base.startsWith('vigil') ? base.replace('vigil', 'kstreams') : undefined;
};

export interface Ratio {
  label: string;
  /** Median over rounds of the per-round ratio (the two ran in the same round, interleaved). */
  ratio: Spread;
}

/** a / b per round, for the rounds where both ran; `metric` reads one figure off a run. */
export function pairedRatio(r: RunResult, a: string, b: string, metric: (run: SystemRun) => number): Spread {
  const rounds = [...new Set(r.runs.map((x) => x.round))];
  const ratios = rounds.map((round) => {
    const x = r.runs.find((run) => run.system === a && run.round === round);
    const y = r.runs.find((run) => run.system === b && run.round === round);
    return x && y ? metric(x) / metric(y) : Number.NaN;
  });
  return spread(ratios.filter((v) => Number.isFinite(v) && v > 0));
}

const backlogRate = (run: SystemRun): number => (run.backlog.complete === false ? Number.NaN : run.backlog.recordsPerSecond);

/** The ratios the engine issues are measured against: Vigil against Kafka Streams, against the ceiling, and against a --compare revision. */
export function ratios(r: RunResult): Ratio[] {
  const systems = new Set(r.runs.map((x) => x.system));
  const out: Ratio[] = [];
  for (const v of systems) {
    if (!v.startsWith('vigil')) continue;
    const ref = referenceOf(v);
    if (ref && systems.has(ref)) {
      out.push({ label: `${v} / ${ref}, backlog tx/s`, ratio: pairedRatio(r, v, ref, backlogRate) });
      out.push({ label: `${v} / ${ref}, sustainable rate`, ratio: pairedRatio(r, v, ref, (x) => x.sustainableRate) });
      out.push({ label: `${v} / ${ref}, backlog CPU ms per tx`, ratio: pairedRatio(r, v, ref, (x) => x.backlog.cpuMsPerTx ?? Number.NaN) });
    }
    if (systems.has('ceiling')) out.push({ label: `${v} / ceiling, backlog tx/s`, ratio: pairedRatio(r, v, 'ceiling', backlogRate) });
    const [base, rev] = v.split('@');
    if (rev && base && systems.has(base)) {
      out.push({ label: `${base} (working tree) / ${v}, backlog tx/s`, ratio: pairedRatio(r, base, v, backlogRate) });
      out.push({ label: `${base} (working tree) / ${v}, sustainable rate`, ratio: pairedRatio(r, base, v, (x) => x.sustainableRate) });
      out.push({ label: `${base} (working tree) / ${v}, backlog CPU ms per tx`, ratio: pairedRatio(r, base, v, (x) => x.backlog.cpuMsPerTx ?? Number.NaN) });
    }
  }
  for (const k of ['kstreams-eos', 'kstreams-alos']) if (systems.has(k) && systems.has('ceiling')) out.push({ label: `${k} / ceiling, backlog tx/s`, ratio: pairedRatio(r, k, 'ceiling', backlogRate) });
  return out;
}

export const loadLine = (l: MachineLoad | undefined, avg?: number[]): string =>
  `${(l?.loadAverage ?? avg ?? []).join(' / ') || '?'}${l ? `, steal ${l.stealPercent ?? '?'} %, busy ${l.busyPercent ?? '?'} %` : ''}`;

/** The run's headline table: one row per system, medians with their range. Also what bench/README.md's regenerated table shows. */
export function headlineTable(r: RunResult): string[] {
  const lines = [
    `| system | backlog tx/s | sustainable tx/s (kept up) | visible within ${r.budgetMs} ms p99, tx/s | backlog CPU ms/tx | peak RSS MiB | to RUNNING, s (cold / restore) |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of summarizeSystems(r)) {
    lines.push(
      `| ${s.system} | ${showSpread(s.backlog)} | ${showSpread(s.sustainable, 0, s.sustainableCapped ? '≥ ' : '')} | ${s.system === 'ceiling' ? '–' : showSpread(s.withinBudget)} | ${showSpread(s.backlogCpuMsPerTx, 3)} | ${showSpread(s.peakRssMiB)} | ${showSpread(s.startupSeconds, 1)} / ${showSpread(s.restoreSeconds, 1)} |`,
    );
  }
  return lines;
}

export function ratioTable(r: RunResult): string[] {
  const rs = ratios(r);
  if (!rs.length) return [];
  return ['| ratio (per round, same run) | median (min–max) |', '|---|---:|', ...rs.map((x) => `| ${x.label} | ${showSpread(x.ratio, 2)}× |`)];
}

export function markdown(r: RunResult, charts: string[] = []): string {
  const lines: string[] = [];
  lines.push(`# Latency run \`${r.name}\`, ${r.date}`);
  lines.push('');
  if (r.noisy) lines.push('> **Noisy run** (`noisy: true`): the 1-minute load was above 1.5 at its start, or other work kept the CPUs busy at its end. Read ratios within the run only; these figures never feed bench/README.md.\n');
  lines.push(`Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGiB} GiB, Linux ${r.machine.kernel}; load ${loadLine(r.machine.loadAtStart, r.machine.loadAverageAtStart)} at the start, ${loadLine(r.machine.loadAtEnd, r.machine.loadAverageAtEnd)} at the end.`);
  if (r.provenance) lines.push(`Commit (read before the run): ${r.provenance.commit}${r.provenance.dirty ? ' **with uncommitted changes (dirty)**' : ''}, branch ${r.provenance.branch}.${r.compare ? ` Compared with ${r.compare.rev} = ${r.compare.commit}.` : ''}`);
  lines.push(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join('; ')}.`);
  if (r.topology && r.topology !== 'single') lines.push(`Topology: ${r.topology}.`);
  lines.push(`Fixture: ${r.fixture}; ${r.partitions} partitions; budget p99 ≤ ${r.budgetMs} ms. Arguments: \`${JSON.stringify(r.args)}\`.`);
  if (r.backlogIdentical !== undefined) lines.push(`Pre-produced warm-up and backlog: ${r.backlogIdentical ? 'the same bytes for every system (one SHA-256)' : '**not the same bytes for every system** (see runs[].backlog.sha256)'}.`);
  const rounds = Math.max(0, ...r.runs.map((x) => x.round));
  lines.push('');
  lines.push(`## Headline (median over ${rounds} round(s), range in brackets)`);
  lines.push('');
  lines.push(...headlineTable(r));
  const rt = ratioTable(r);
  if (rt.length) lines.push('', '## Ratios', '', ...rt);
  const perf = r.runs.map((x) => x.backlog.perfTest).filter((p): p is PerfTestResult => p !== undefined && !('error' in p));
  if (perf.length) lines.push(`\nkafka-consumer-perf-test on the same topic: ${perf.map((p) => `${p.recordsPerSecond} records/s (fetch ${p.fetchRecordsPerSecond}/s, ${p.records} records)`).join('; ')}.`);
  lines.push('', '## p99 by offered rate (rates tested in every round)', '');
  const webhook = r.runs.some((run) => run.steps.some((st) => st.appendToWebhook));
  lines.push(
    `| system | offered tx/s | p99 append → alert, ms | p99 append → visible (read_committed), ms |${webhook ? ' p99 append → webhook 2xx, ms |' : ''}`,
    `|---|---:|---:|---:|${webhook ? '---:|' : ''}`,
  );
  for (const s of summarizeSystems(r)) {
    for (const [rate, v] of s.p99ByRate) lines.push(`| ${s.system} | ${rate} | ${showSpread(v.alert)} | ${showSpread(v.visible)} |${webhook ? ` ${showSpread(v.webhook)} |` : ''}`);
  }
  if (charts.length) lines.push('', ...charts.map((c) => `![${c}](${c})`));
  lines.push('', '## Every step', '');
  lines.push('Latency in ms from the transaction\'s append to its alert\'s append (ceiling: to its receipt); "visible" is to the alert reaching a read_committed consumer. CPU in cores (1.0 = one core busy), RSS the peak in MiB. "kept up": delivered ≥ 98 % of offered and the lag did not grow (growth in transactions).');
  lines.push('');
  lines.push('| system | round | offered tx/s | delivered tx/s | lag growth | kept up | p50 | p90 | p99 | p99.9 | max | visible p99 | system CPU ms/tx | system CPU / RSS | broker CPU / RSS | harness CPU | within budget |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const run of r.runs) {
    for (const st of run.steps) {
      const p = (name: string) => st.procs.find((x) => x.name === name);
      const sut = p('sut');
      const broker = p('broker');
      const a = st.appendToAlert;
      lines.push(
        `| ${run.system} | ${run.round} | ${st.rate} | ${st.deliveredRate} | ${st.lagGrowth ?? '–'} | ${st.keptUp ? 'yes' : 'no'} | ${a.p50} | ${a.p90} | ${a.p99} | ${a.p999} | ${a.max} | ${st.appendToVisible?.p99 ?? '–'} | ${st.sutCpuMsPerTx ?? '–'} | ${sut ? `${sut.cores} / ${sut.maxRssMiB}` : '–'} | ${broker ? `${broker.cores} / ${broker.maxRssMiB}` : '–'} | ${p('harness')?.cores ?? '–'} | ${st.ok ? 'yes' : 'no'} |`,
      );
    }
  }
  lines.push('', '## Warm-up, backlog and start', '');
  lines.push('| system | round | warm-up tx | warm-up s | backlog tx | backlog s | backlog tx/s | CPU ms/tx | complete | to RUNNING s | restore → RUNNING s |', '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const run of r.runs) {
    const b = run.backlog;
    lines.push(`| ${run.system} | ${run.round} | ${run.warmup?.records ?? '–'} | ${fmt(run.warmup?.seconds ?? Number.NaN, 1)} | ${b.records} | ${fmt(b.seconds, 2)} | ${b.recordsPerSecond} | ${b.cpuMsPerTx ?? '–'} | ${b.complete === false ? 'no' : 'yes'} | ${fmt(run.startupSeconds, 1)} | ${fmt(run.restoreSeconds ?? Number.NaN, 1)} |`);
  }
  return `${lines.join('\n')}\n`;
}

const svgOpen = (w: number, h: number, title: string): string[] => [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
  `<rect width="${w}" height="${h}" fill="white"/>`,
  `<text x="10" y="22" font-size="14">${title}</text>`,
];

/** p99 (log scale) against offered rate; a point per step, a line per system and round. */
export function svgChart(r: RunResult): string {
  const W = 760;
  const H = 440;
  const L = 70;
  const R = 190;
  const T = 40;
  const B = 50;
  const steps = r.runs.flatMap((x) => x.steps);
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b);
  const maxRate = Math.max(100, ...rates);
  const minRate = Math.min(maxRate / 2, ...rates);
  const lat = steps.map((s) => s.appendToAlert.p99).filter((x) => Number.isFinite(x) && x > 0);
  const yMin = Math.max(0.1, 10 ** Math.floor(Math.log10(Math.min(1, ...lat))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(r.budgetMs * 2, ...lat)));
  const x = (rate: number) => L + 10 + ((Math.log2(rate) - Math.log2(minRate)) / (Math.log2(maxRate) - Math.log2(minRate))) * (W - L - R - 20);
  const y = (ms: number) => T + (1 - (Math.log10(Math.max(ms, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
  const out = svgOpen(W, H, `p99 latency, transaction append → alert append, against offered rate (${r.date.slice(0, 10)}${r.noisy ? ', NOISY' : ''})`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  // Label the doubling rates only: bisected rates in between would overlap.
  for (let v = minRate; v <= maxRate * 1.001; v *= 2) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${Math.round(v)}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">offered transactions/s (log scale)</text>`);
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(r.budgetMs)}" y2="${y(r.budgetMs)}" stroke="black" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - R - 4}" y="${y(r.budgetMs) - 5}" text-anchor="end">${r.budgetMs} ms budget</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`);
  const systems = [...new Set(r.runs.map((s) => s.system))];
  for (const run of r.runs) {
    const color = colorOf(run.system);
    const sorted = [...run.steps].sort((a, b) => a.rate - b.rate);
    const pts = sorted.map((s) => `${x(s.rate).toFixed(1)},${y(s.appendToAlert.p99).toFixed(1)}`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5" opacity="0.8"${dashOf(run.system)}/>`);
    for (const s of sorted) {
      out.push(`<circle cx="${x(s.rate).toFixed(1)}" cy="${y(s.appendToAlert.p99).toFixed(1)}" r="3.5" fill="${s.ok ? color : 'white'}" stroke="${color}"><title>${run.system} round ${run.round}, ${s.rate}/s: p99 ${s.appendToAlert.p99} ms</title></circle>`);
    }
  }
  systems.forEach((s, i) => {
    const ly = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly}" y2="${ly}" stroke="${colorOf(s)}" stroke-width="2"${dashOf(s)}/>`);
    out.push(`<text x="${W - R + 38}" y="${ly + 4}">${s}</text>`);
  });
  out.push(`<text x="${W - R + 12}" y="${T + 20 + systems.length * 20}" font-size="10">hollow: over budget or</text>`);
  out.push(`<text x="${W - R + 12}" y="${T + 32 + systems.length * 20}" font-size="10">not keeping up</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

interface Bar {
  label: string;
  value: Spread;
  color: string;
}

/** Horizontal bars at the median with a min–max whisker, on a linear axis from 0 (or log when the values span > 100×). */
function bars(out: string[], top: number, width: number, title: string, unit: string, rows: Bar[], digits = 0): number {
  const L = 150;
  const rowH = 24;
  const vals = rows.flatMap((b) => [b.value.max, b.value.median]).filter((v) => Number.isFinite(v) && v > 0);
  const maxV = Math.max(1e-9, ...vals);
  const minV = Math.min(maxV, ...vals);
  const log = maxV / minV > 100;
  const floor = log ? 10 ** Math.floor(Math.log10(minV)) / 2 : 0;
  const span = width - L - 90;
  const x = (v: number) => L + (log ? ((Math.log10(Math.max(v, floor)) - Math.log10(floor)) / (Math.log10(maxV) - Math.log10(floor))) * span : (v / maxV) * span);
  out.push(`<text x="10" y="${top}" font-weight="bold">${title}${log ? ' (log scale)' : ''}</text>`);
  rows.forEach((b, i) => {
    const y = top + 10 + i * rowH;
    out.push(`<text x="${L - 6}" y="${y + 15}" text-anchor="end">${b.label}</text>`);
    if (!Number.isFinite(b.value.median)) {
      out.push(`<text x="${L + 4}" y="${y + 15}">no data</text>`);
      return;
    }
    out.push(`<rect x="${L}" y="${y + 3}" width="${Math.max(1, x(b.value.median) - L).toFixed(1)}" height="${rowH - 8}" fill="${b.color}" opacity="0.85"><title>${b.label}: ${showSpread(b.value, digits)} ${unit}</title></rect>`);
    if (b.value.n > 1) out.push(`<line x1="${x(b.value.min).toFixed(1)}" x2="${x(b.value.max).toFixed(1)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="black"/>`);
    out.push(`<text x="${(x(Math.max(b.value.median, b.value.max)) + 6).toFixed(1)}" y="${y + 15}">${fmt(b.value.median, digits)} ${unit}</text>`);
  });
  return top + 20 + rows.length * rowH;
}

/** Backlog throughput per system: median bar, min–max whisker. */
export function svgBacklog(r: RunResult): string {
  const s = summarizeSystems(r);
  const W = 700;
  const H = 60 + s.length * 24;
  const out = svgOpen(W, H, `Backlog throughput, ${r.args && 'backlog' in r.args ? String((r.args as { backlog: number }).backlog) : ''} pre-produced transactions (${r.date.slice(0, 10)}${r.noisy ? ', NOISY' : ''})`);
  bars(out, 44, W, '', 'tx/s', s.map((x) => ({ label: x.system, value: x.backlog, color: colorOf(x.system) })));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** CPU ms per backlog transaction and peak RSS per system. */
export function svgResources(r: RunResult): string {
  const s = summarizeSystems(r);
  const W = 700;
  const H = 100 + 2 * s.length * 24 + 20;
  const out = svgOpen(W, H, `System CPU per transaction (backlog) and peak RSS (${r.date.slice(0, 10)}${r.noisy ? ', NOISY' : ''})`);
  const next = bars(out, 48, W, 'CPU ms per transaction', 'ms', s.map((x) => ({ label: x.system, value: x.backlogCpuMsPerTx, color: colorOf(x.system) })), 3);
  bars(out, next + 16, W, 'Peak RSS', 'MiB', s.map((x) => ({ label: x.system, value: x.peakRssMiB, color: colorOf(x.system) })));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeReport(r: RunResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.date.slice(0, 10)}-${r.name}${r.noisy ? '-noisy' : ''}`);
  // One line per step keeps the file small (histogram buckets are most of it) and still diffable by step.
  const json = JSON.stringify(r, null, 1).replace(/\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]/g, '[$1,$2]');
  const files = { json: `${base}.json`, md: `${base}.md`, latency: `${base}.svg`, backlog: `${base}-backlog.svg`, resources: `${base}-resources.svg` };
  writeFileSync(files.json, `${json}\n`);
  writeFileSync(files.latency, svgChart(r));
  writeFileSync(files.backlog, svgBacklog(r));
  writeFileSync(files.resources, svgResources(r));
  writeFileSync(files.md, markdown(r, [files.latency, files.backlog, files.resources].map((f) => basename(f))));
  return Object.values(files);
}
