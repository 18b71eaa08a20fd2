/**
 * The quiet-machine guard and the run's provenance (issue 12). A benchmark
 * taken while other work runs measures the other work: the harness records
 * the load average and CPU steal at the start and the end of every run,
 * refuses to start above a 1-minute load of 1.5 (on 2 cores) unless told
 * `--allow-noisy`, and marks such a run `noisy: true`. The commit is read
 * before the run starts, with a dirty flag, so a result names the code it
 * measured even if the tree changes meanwhile.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Above this 1-minute load average the machine is not quiet (2 cores: three quarters of one core spare). */
export const QUIET_LOAD_LIMIT = 1.5;

export interface MachineLoad {
  /** 1, 5 and 15-minute load averages. */
  loadAverage: number[];
  /** Share of CPU time stolen by the hypervisor over `sampleMs`, in % (null when /proc/stat is unreadable). */
  stealPercent: number | null;
  /** Share of CPU time busy (not idle or iowait) over the same sample, in %. */
  busyPercent: number | null;
  sampleMs: number;
  at: string;
}

interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal … (USER_HZ ticks). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  // guest and guest_nice (fields 9–10) are already counted in user and nice.
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: (f[3] as number) + (f[4] as number), steal: f[7] as number };
}

/** Busy and steal shares between two /proc/stat readings. */
export function cpuShares(before: CpuTimes, after: CpuTimes): { busyPercent: number; stealPercent: number } {
  const dt = Math.max(1, after.total - before.total);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { busyPercent: round((100 * (dt - (after.idle - before.idle))) / dt), stealPercent: round((100 * (after.steal - before.steal)) / dt) };
}

const readStat = (): CpuTimes | null => {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
};

/** Load average now, and steal and busy shares over the next `sampleMs`. */
export async function sampleLoad(sampleMs = 1_000, now: () => Date = () => new Date()): Promise<MachineLoad> {
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const before = readStat();
  await new Promise((r) => setTimeout(r, sampleMs));
  const after = readStat();
  const shares = before && after ? cpuShares(before, after) : null;
  return { loadAverage, stealPercent: shares?.stealPercent ?? null, busyPercent: shares?.busyPercent ?? null, sampleMs, at: now().toISOString() };
}

export type GuardVerdict = { start: true; noisy: boolean; reason?: string } | { start: false; reason: string };

/** Whether a run may start, and whether its results are noisy. */
export function guardVerdict(load: MachineLoad, allowNoisy: boolean, limit = QUIET_LOAD_LIMIT): GuardVerdict {
  const one = load.loadAverage[0] ?? 0;
  if (one <= limit) return { start: true, noisy: false };
  const reason = `1-minute load average ${one} is above ${limit}`;
  if (!allowNoisy) return { start: false, reason };
  return { start: true, noisy: true, reason };
}

/**
 * A run that started quiet is still noisy if something else kept the machine
 * busy at its end. The 1-minute load average cannot tell: on 2 cores the
 * run's own last phase (broker, system under test, harness) leaves it well
 * above 1.5 for a minute after. The CPU shares sampled over one second once
 * the systems have stopped can: busy or stolen time then is someone else's.
 */
export const FOREIGN_BUSY_LIMIT_PERCENT = 35;
export const STEAL_LIMIT_PERCENT = 5;

export function noisyAtEnd(end: MachineLoad): boolean {
  return (end.busyPercent ?? 0) > FOREIGN_BUSY_LIMIT_PERCENT || (end.stealPercent ?? 0) > STEAL_LIMIT_PERCENT;
}

export interface Provenance {
  /** `git rev-parse HEAD` before the run started. */
  commit: string;
  short: string;
  /** Uncommitted changes to tracked files (untracked files ignored) when the run started. */
  dirty: boolean;
  branch: string;
}

export function provenance(cwd: string): Provenance {
  const git = (...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', 'HEAD') || 'unknown';
  return {
    commit,
    short: commit.slice(0, 7),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    branch: git('rev-parse', '--abbrev-ref', 'HEAD') || 'unknown',
  };
}
