/**
 * Measures a run: records/s over the whole run and the distribution of
 * per-record processing time, from a perf_hooks histogram (nanoseconds).
 */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';

export interface RunResult {
  readonly setup: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export class RunTimer {
  private readonly histogram: RecordableHistogram = createHistogram();
  private readonly started = performance.now();
  private records = 0;

  /** Times one record's processing. */
  async time(work: () => Promise<void> | void): Promise<void> {
    const start = process.hrtime.bigint();
    await work();
    this.histogram.record(Math.max(1, Number(process.hrtime.bigint() - start)));
    this.records++;
  }

  finish(setup: string): RunResult {
    const seconds = (performance.now() - this.started) / 1000;
    return {
      setup,
      records: this.records,
      seconds,
      recordsPerSecond: this.records / seconds,
      p50Us: this.histogram.percentile(50) / 1000,
      p99Us: this.histogram.percentile(99) / 1000,
      maxUs: this.histogram.max / 1000,
    };
  }
}

export function formatTable(results: readonly RunResult[]): string {
  const lines = [
    '| setup | records | seconds | records/s | p50 µs | p99 µs | max µs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.setup} | ${r.records} | ${r.seconds.toFixed(1)} | ${Math.round(r.recordsPerSecond)} | ${r.p50Us.toFixed(1)} | ${r.p99Us.toFixed(1)} | ${r.maxUs.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
