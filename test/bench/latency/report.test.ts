import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, headlineSection, quietRuns, replaceSection } from '../../../bench/latency/readme.js';
import { markdown, pairedRatio, ratios, spread, summarizeSystems, svgBacklog, svgChart, svgResources, writeReport, type RunResult, type StepResult, type SystemRun } from '../../../bench/latency/report.js';

const summary = (p99: number) => ({ count: 100, mean: p99 / 2, p50: p99 / 2, p90: p99 * 0.8, p99, p999: p99, max: p99 });

function step(rate: number, p99: number, keptUp = true): StepResult {
  return {
    rate,
    seconds: 4,
    sent: rate * 4,
    delivered: rate * 4,
    deliveredRate: rate,
    producerLateMs: 0,
    appendToAlert: summary(p99),
    appendToVisible: summary(p99 + 10),
    histogram: { counts: [], total: 0, max: 0, min: 0, sum: 0 } as unknown as StepResult['histogram'],
    procs: [{ name: 'sut', pid: 1, cpuSeconds: 1, cores: 0.5, maxRssMiB: 300, rssMiB: 250 }],
    sutCpuMsPerTx: 1,
    keptUp,
    lagGrowth: 0,
    lag: [],
    ok: keptUp && p99 <= 100,
    wallStart: '2026-12-05T00:00:00.000Z',
  };
}

function run(system: string, round: number, backlogRate: number, steps: StepResult[], cpu = 1): SystemRun {
  return {
    system,
    round,
    startupSeconds: 3,
    restoreSeconds: 5,
    warmup: { records: 20_000, seconds: 10 },
    steps,
    maxRateAtBudget: 0,
    withinBudgetRate: 0,
    sustainableRate: Math.max(...steps.filter((s) => s.keptUp).map((s) => s.rate)),
    sustainableCapped: false,
    backlog: { records: 30_000, seconds: 30_000 / backlogRate, recordsPerSecond: backlogRate, procs: [{ name: 'sut', pid: 1, cpuSeconds: 30, cores: 1, maxRssMiB: 400 + round, rssMiB: 300 }], complete: true, cpuMsPerTx: cpu, sha256: 'abc' },
    sendFailures: 0,
  };
}

function result(noisy: boolean, date = '2026-12-05T00:00:00.000Z'): RunResult {
  const runs: SystemRun[] = [];
  for (let round = 1; round <= 3; round++) {
    runs.push(run('ceiling', round, 200_000, [step(200, 5), step(400, 5)], 0.01));
    runs.push(run('vigil-eos', round, 800 + round * 10, [step(200, 50), step(400, 150), step(800, 90, false)], 2));
    runs.push(run('kstreams-eos', round, 3_200, [step(200, 30), step(400, 60), step(800, 70)], 0.5));
  }
  return {
    name: 'latency',
    date,
    finished: date,
    noisy,
    machine: { cpus: 2, cpuModel: 'Xeon', memGiB: 24, kernel: '6.18', loadAverageAtStart: [0.5, 0.6, 0.7], loadAverageAtEnd: [0.9, 0.7, 0.7] },
    provenance: { commit: 'a'.repeat(40), short: 'aaaaaaa', dirty: false, branch: 'main' },
    versions: { git: 'aaaaaaa' },
    args: { backlog: 30_000 },
    budgetMs: 100,
    partitions: 4,
    fixture: 'test/fixtures/small',
    backlogIdentical: true,
    runs,
  };
}

describe('latency report', () => {
  it('judges the budget by visibility where it was measured: an alert appended in 30 ms but visible at 150 ms is late', () => {
    const appendedEarly = { ...step(200, 30), appendToVisible: summary(150) };
    const older = { ...step(200, 30), appendToVisible: null };
    expect(summarizeSystems({ ...result(false), runs: [run('vigil-eos', 1, 800, [appendedEarly])] })[0]?.withinBudget.median).toBe(0);
    expect(summarizeSystems({ ...result(false), runs: [run('vigil-eos', 1, 800, [older])] })[0]?.withinBudget.median).toBe(200);
  });

  it('reports medians with their min–max over rounds', () => {
    const s = summarizeSystems(result(false)).find((x) => x.system === 'vigil-eos');
    expect(s?.backlog).toEqual({ median: 820, min: 810, max: 830, n: 3 });
    // 400 tx/s kept up but its p99 is 150 ms: the within-budget rate stops below it.
    expect(s?.withinBudget.median).toBe(200);
    expect(s?.sustainable.median).toBe(400);
    expect(s?.peakRssMiB).toEqual({ median: 402, min: 401, max: 403, n: 3 });
    expect(spread([3, 1, 2, Number.NaN])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
  });

  it('gives ratios per round against Kafka Streams and the ceiling', () => {
    const r = result(false);
    expect(pairedRatio(r, 'vigil-eos', 'kstreams-eos', (x) => x.backlog.recordsPerSecond).median).toBeCloseTo(820 / 3200);
    const labels = ratios(r).map((x) => x.label);
    expect(labels).toContain('vigil-eos / kstreams-eos, backlog tx/s');
    expect(labels).toContain('vigil-eos / ceiling, backlog tx/s');
  });

  it('compares a --compare revision with the working tree', () => {
    const r = result(false);
    r.runs.push(...[1, 2, 3].map((round) => run('vigil-eos@abc1234', round, 400, [step(200, 50)])));
    const cmp = ratios(r).find((x) => x.label === 'vigil-eos (working tree) / vigil-eos@abc1234, backlog tx/s');
    expect(cmp?.ratio.median).toBeCloseTo(820 / 400);
  });

  it('adds the webhook column only when a run measured append → webhook 2xx (--webhook)', () => {
    const without = markdown(result(false), []);
    expect(without).not.toContain('webhook 2xx');
    const r = result(false);
    for (const run of r.runs) if (run.system === 'vigil-eos') for (const st of run.steps) st.appendToWebhook = summary(st.appendToAlert.p99 + 25);
    const text = markdown(r, []);
    expect(text).toContain('| p99 append → webhook 2xx, ms |');
    // vigil-eos at 200 tx/s: alert p99 50, visible 60, webhook 75 in every round.
    expect(text).toContain('| vigil-eos | 200 | 50 | 60 | 75 |');
    // Kafka Streams had no webhook figures in this run: a dash, not a zero.
    expect(text).toMatch(/\| kstreams-eos \| 200 \| 30 \| 40 \| – \|/);
  });

  it('marks a noisy run in the markdown and its file names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latency-report-'));
    const files = writeReport(result(true), dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      '2026-12-05-latency-noisy.json',
      '2026-12-05-latency-noisy.md',
      '2026-12-05-latency-noisy.svg',
      '2026-12-05-latency-noisy-backlog.svg',
      '2026-12-05-latency-noisy-resources.svg',
    ]);
    expect(readFileSync(files[1] as string, 'utf8')).toContain('**Noisy run**');
    expect(markdown(result(false))).not.toContain('Noisy');
  });

  it('draws the three charts', () => {
    const r = result(false);
    for (const svg of [svgChart(r), svgBacklog(r), svgResources(r)]) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('vigil-eos');
    }
    expect(svgBacklog(r)).toContain('820 tx/s');
  });
});

describe('README regeneration', () => {
  it('uses the newest quiet run and never a noisy one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latency-readme-'));
    writeFileSync(join(dir, 'old.json'), JSON.stringify(result(false, '2026-12-01T00:00:00.000Z')));
    writeFileSync(join(dir, 'new-noisy.json'), JSON.stringify(result(true, '2026-12-06T00:00:00.000Z')));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(result(false, '2026-12-05T00:00:00.000Z')));
    const legacy = result(false);
    delete legacy.noisy;
    writeFileSync(join(dir, 'legacy.json'), JSON.stringify(legacy));
    // A quiet multi-region run measures MirrorMaker 2 too: never the single-cluster headline.
    writeFileSync(join(dir, 'new-mirrored.json'), JSON.stringify({ ...result(false, '2026-12-07T00:00:00.000Z'), topology: 'multi-region: …' }));
    // Nor an A/B of two revisions.
    writeFileSync(join(dir, 'new-ab.json'), JSON.stringify({ ...result(false, '2026-12-08T00:00:00.000Z'), args: { backlog: 30_000, compare: 'abc1234' } }));
    expect(quietRuns(dir).map((r) => r.file.slice(dir.length + 1))).toEqual(['new.json', 'old.json']);
  });

  it('says when the run went through MirrorMaker 2', () => {
    expect(markdown({ ...result(false), topology: 'multi-region: appended on us-east' })).toContain('Topology: multi-region: appended on us-east.');
    expect(markdown(result(false))).not.toContain('Topology:');
  });

  it('replaces only the marked section', () => {
    const r = result(false);
    const readme = `# Title\n\nbefore\n\n${BEGIN}\nold table\n${END}\n\nafter\n`;
    const out = replaceSection(readme, headlineSection(r, 'results/x.json'));
    expect(out.startsWith('# Title\n\nbefore\n\n')).toBe(true);
    expect(out.endsWith(`${END}\n\nafter\n`)).toBe(true);
    expect(out).not.toContain('old table');
    expect(out).toContain('| vigil-eos | 820 (810–830) |');
    expect(out).toContain('load average 0.5 / 0.6 / 0.7 at the start');
    expect(replaceSection(out, headlineSection(r, 'results/x.json'))).toBe(out);
    expect(() => replaceSection('# no markers', 'x')).toThrow(/markers/);
  });
});
