/**
 * CPU time and memory of a process from /proc (Linux): utime + stime from
 * /proc/<pid>/stat, VmRSS and VmHWM (peak RSS) from /proc/<pid>/status. Works
 * for any process, the broker's JVM included, without instrumenting it.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ; 100 on every mainstream Linux build (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  cpuSeconds: number;
  rssMiB: number;
  peakRssMiB: number;
}

export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)"; comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface ProcUsage {
  name: string;
  pid: number;
  /** CPU seconds used in the interval, and as a share of one core. */
  cpuSeconds: number;
  cores: number;
  /** Largest RSS seen by the sampler in the interval, and at its end. */
  maxRssMiB: number;
  rssMiB: number;
}

/** Samples named processes every `intervalMs` so the peak RSS of an interval is known. */
export class ProcessWatcher {
  private readonly procs = new Map<string, number>();
  private start = new Map<string, ProcSample>();
  private maxRss = new Map<string, number>();
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 500) {}

  watch(name: string, pid: number): void {
    this.procs.set(name, pid);
  }

  unwatch(name: string): void {
    this.procs.delete(name);
  }

  /** Starts an interval: the CPU counters are read now. */
  begin(): void {
    this.startedAt = performance.now();
    this.start = new Map();
    this.maxRss = new Map();
    for (const [name, pid] of this.procs) {
      const s = sampleProcess(pid);
      if (s) this.start.set(name, s);
    }
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    for (const [name, pid] of this.procs) {
      const s = sampleProcess(pid);
      if (s) this.maxRss.set(name, Math.max(this.maxRss.get(name) ?? 0, s.rssMiB));
    }
  }

  /** Ends the interval: CPU used by each process since `begin`. */
  end(): ProcUsage[] {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const out: ProcUsage[] = [];
    for (const [name, pid] of this.procs) {
      const a = this.start.get(name);
      const b = sampleProcess(pid);
      if (!a || !b) continue;
      const cpu = b.cpuSeconds - a.cpuSeconds;
      out.push({
        name,
        pid,
        cpuSeconds: round(cpu),
        cores: round(cpu / Math.max(seconds, 1e-3)),
        maxRssMiB: Math.round(Math.max(this.maxRss.get(name) ?? 0, b.rssMiB)),
        rssMiB: Math.round(b.rssMiB),
      });
    }
    return out;
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
