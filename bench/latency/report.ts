/**
 * Results of a latency run: the JSON (everything, histograms included), a
 * markdown summary and a latency-versus-throughput chart as a hand-written
 * SVG (p99 of append → alert against the offered rate, one line per system
 * and round, the 100 ms budget as a dashed line, both axes logarithmic).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Histogram, LatencySummary } from './histogram.js';
import type { PerfTestResult } from './children.js';
import type { ProcUsage } from './proc-stats.js';

export interface StepResult {
  rate: number;
  seconds: number;
  sent: number;
  delivered: number;
  deliveredRate: number;
  /** How much longer than planned the producer took to offer the step (harness starved of CPU). */
  producerLateMs: number;
  /** Broker append of the transaction → broker append of its alert (ceiling: → receipt by the consumer). */
  appendToAlert: LatencySummary;
  /** → the alert seen by a read_committed consumer (what a downstream sees; adds the transaction commit under exactly-once). */
  appendToVisible: LatencySummary | null;
  histogram: ReturnType<Histogram['toJSON']>;
  procs: ProcUsage[];
  /** CPU time of the system's process per delivered transaction: less sensitive to a shared machine than latency. */
  sutCpuMsPerTx: number | null;
  ok: boolean;
  wallStart: string;
}

export interface SystemRun {
  system: string;
  round: number;
  startupSeconds: number;
  steps: StepResult[];
  /** Highest offered rate whose p99 stayed within budget with every alert delivered. */
  maxRateAtBudget: number;
  backlog: {
    records: number;
    seconds: number;
    recordsPerSecond: number;
    procs: ProcUsage[];
    complete?: boolean;
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
  machine: { cpus: number; cpuModel: string; memGiB: number; kernel: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  versions: Record<string, string>;
  args: object;
  budgetMs: number;
  partitions: number;
  fixture: string;
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const range = (xs: number[]): string => (xs.length > 1 ? ` (${Math.min(...xs)}–${Math.max(...xs)})` : '');

/** The highest offered rate the system followed (every alert delivered, ≥ 95 % of the rate), whatever its latency. */
export function keptUp(run: SystemRun): number {
  const ok = run.steps.filter((s) => s.delivered >= s.sent && s.deliveredRate >= s.rate * 0.95).map((s) => s.rate);
  return ok.length ? Math.max(...ok) : 0;
}

/** The highest rate that was kept up with p99 within the budget (the ceiling's own `ok` ignores its p99; this does not). */
export function withinBudget(run: SystemRun, budgetMs: number): number {
  const ok = run.steps.filter((s) => s.delivered >= s.sent && s.deliveredRate >= s.rate * 0.95 && s.appendToAlert.p99 <= budgetMs).map((s) => s.rate);
  return ok.length ? Math.max(...ok) : 0;
}

export function markdown(r: RunResult): string {
  const systems = [...new Set(r.runs.map((x) => x.system))];
  const lines: string[] = [];
  lines.push(`# Latency run \`${r.name}\`, ${r.date}`);
  lines.push('');
  lines.push(`Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGiB} GiB, Linux ${r.machine.kernel}; load average ${r.machine.loadAverageAtStart.join(' / ')} at the start, ${r.machine.loadAverageAtEnd?.join(' / ') ?? '?'} at the end.`);
  lines.push(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join('; ')}.`);
  lines.push(`Fixture: ${r.fixture}; ${r.partitions} partitions; budget p99 ≤ ${r.budgetMs} ms. Arguments: \`${JSON.stringify(r.args)}\`.`);
  lines.push('');
  lines.push('## Highest rate within budget, and backlog throughput');
  lines.push('');
  lines.push('| system | max rate at p99 ≤ budget, tx/s: median (range) | highest rate kept up, tx/s | backlog records/s: median (range) | startup s |');
  lines.push('|---|---|---|---|---|');
  for (const s of systems) {
    const runs = r.runs.filter((x) => x.system === s);
    const max = runs.map((x) => withinBudget(x, r.budgetMs));
    const bl = runs.map((x) => x.backlog.recordsPerSecond);
    const kept = runs.map((x) => keptUp(x));
    lines.push(`| ${s} | ${median(max)}${range(max)} | ${median(kept)}${range(kept)} | ${median(bl)}${range(bl)} | ${median(runs.map((x) => Math.round(x.startupSeconds * 10) / 10))} |`);
  }
  const perf = r.runs.map((x) => x.backlog.perfTest).filter((p): p is PerfTestResult => p !== undefined && !('error' in p));
  if (perf.length) lines.push(`\nkafka-consumer-perf-test on the same topic: ${perf.map((p) => `${p.recordsPerSecond} records/s (fetch ${p.fetchRecordsPerSecond}/s, ${p.records} records)`).join('; ')}.`);
  lines.push('');
  lines.push('## Every step');
  lines.push('');
  lines.push('Latency in ms from the transaction\'s append to its alert\'s append (ceiling: to its receipt); "visible" is to the alert reaching a read_committed consumer. CPU in cores (1.0 = one core busy), RSS the peak in MiB.');
  lines.push('');
  lines.push('| system | round | offered tx/s | delivered tx/s | p50 | p90 | p99 | p99.9 | max | visible p99 | system CPU ms/tx | system CPU / RSS | broker CPU / RSS | harness CPU | ok |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const run of r.runs) {
    for (const st of run.steps) {
      const p = (name: string) => st.procs.find((x) => x.name === name);
      const sut = p('sut');
      const broker = p('broker');
      const a = st.appendToAlert;
      lines.push(
        `| ${run.system} | ${run.round} | ${st.rate} | ${st.deliveredRate} | ${a.p50} | ${a.p90} | ${a.p99} | ${a.p999} | ${a.max} | ${st.appendToVisible?.p99 ?? '–'} | ${st.sutCpuMsPerTx ?? '–'} | ${sut ? `${sut.cores} / ${sut.maxRssMiB}` : '–'} | ${broker ? `${broker.cores} / ${broker.maxRssMiB}` : '–'} | ${p('harness')?.cores ?? '–'} | ${st.ok ? 'yes' : 'no'} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** p99 (log scale) against offered rate; a point per step, a line per system and round. */
export function svgChart(r: RunResult): string {
  const W = 760;
  const H = 440;
  const L = 70;
  const R = 170;
  const T = 40;
  const B = 50;
  const steps = r.runs.flatMap((x) => x.steps);
  const rates = [...new Set(steps.map((s) => s.rate))].sort((a, b) => a - b);
  const maxRate = Math.max(100, ...rates);
  const minRate = Math.min(maxRate / 2, ...rates);
  const lat = steps.map((s) => s.appendToAlert.p99).filter((x) => Number.isFinite(x) && x > 0);
  const yMin = Math.max(0.1, 10 ** Math.floor(Math.log10(Math.min(1, ...lat))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(r.budgetMs * 2, ...lat)));
  // Rates double from step to step: a log axis spaces them evenly.
  const x = (rate: number) => L + 10 + ((Math.log2(rate) - Math.log2(minRate)) / (Math.log2(maxRate) - Math.log2(minRate))) * (W - L - R - 20);
  const y = (ms: number) => T + (1 - (Math.log10(Math.max(ms, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="22" font-size="14">p99 latency, transaction append → alert append, against offered rate (${r.date.slice(0, 10)})</text>`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const v = 10 ** e;
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  for (const v of rates) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">offered transactions/s (log scale)</text>`);
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(r.budgetMs)}" y2="${y(r.budgetMs)}" stroke="black" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${W - R - 4}" y="${y(r.budgetMs) - 5}" text-anchor="end">${r.budgetMs} ms budget</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`);
  const systems = [...new Set(r.runs.map((s) => s.system))];
  for (const run of r.runs) {
    const color = COLORS[run.system] ?? '#000';
    const pts = run.steps.map((s) => `${x(s.rate).toFixed(1)},${y(s.appendToAlert.p99).toFixed(1)}`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5" opacity="0.8"/>`);
    for (const s of run.steps) {
      out.push(`<circle cx="${x(s.rate).toFixed(1)}" cy="${y(s.appendToAlert.p99).toFixed(1)}" r="3.5" fill="${s.ok ? color : 'white'}" stroke="${color}"><title>${run.system} round ${run.round}, ${s.rate}/s: p99 ${s.appendToAlert.p99} ms</title></circle>`);
    }
  }
  systems.forEach((s, i) => {
    const ly = T + 10 + i * 20;
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${ly}" y2="${ly}" stroke="${COLORS[s] ?? '#000'}" stroke-width="2"/>`);
    out.push(`<text x="${W - R + 38}" y="${ly + 4}">${s}</text>`);
  });
  out.push(`<text x="${W - R + 12}" y="${T + 20 + systems.length * 20}" font-size="10">hollow: over budget or</text>`);
  out.push(`<text x="${W - R + 12}" y="${T + 32 + systems.length * 20}" font-size="10">not keeping up</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeReport(r: RunResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.date.slice(0, 10)}-${r.name}`);
  // One line per step keeps the file small (histogram buckets are most of it) and still diffable by step.
  const json = JSON.stringify(r, null, 1).replace(/\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]/g, '[$1,$2]');
  writeFileSync(`${base}.json`, `${json}\n`);
  writeFileSync(`${base}.md`, markdown(r));
  writeFileSync(`${base}.svg`, svgChart(r));
  return [`${base}.json`, `${base}.md`, `${base}.svg`];
}
