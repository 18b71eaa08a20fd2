import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface JvmSpec {
  /** Unique within a topology: `broker-us-east`, `registry`, `mirror-maker`. */
  name: string;
  command: string;
  args: string[];
  /** Folder for the pid file and `<name>.out` (the JVM's own stdout/stderr). */
  runDir: string;
  /**
   * When set, a watchdog kills the JVM's process group as soon as this pid
   * dies, so a test run that crashes leaves no JVM behind.
   */
  ownerPid?: number;
}

export interface PidRecord {
  name: string;
  pid: number;
  startedAt: string;
  ownerPid?: number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

export function readPid(runDir: string, name: string): PidRecord | undefined {
  const file = pidFile(runDir, name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/**
 * Starts the JVM in its own process group (detached), so stopping it also
 * stops anything it forked, and records its pid.
 */
export function startJvm(spec: JvmSpec): PidRecord {
  mkdirSync(spec.runDir, { recursive: true });
  const out = openSync(join(spec.runDir, `${spec.name}.out`), 'w');
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
  child.unref();
  const record: PidRecord = { name: spec.name, pid: child.pid, startedAt: new Date().toISOString(), ownerPid: spec.ownerPid };
  writeFileSync(pidFile(spec.runDir, spec.name), JSON.stringify(record));
  if (spec.ownerPid !== undefined) startWatchdog(spec.ownerPid, child.pid);
  return record;
}

/**
 * A detached shell that outlives a crashed owner: it polls both pids and,
 * once the owner is gone while the JVM still runs, terminates the JVM's
 * group, then kills it if it has not stopped after 10 s.
 */
function startWatchdog(ownerPid: number, jvmPid: number): void {
  const script =
    `while kill -0 ${ownerPid} 2>/dev/null && kill -0 ${jvmPid} 2>/dev/null; do sleep 1; done; ` +
    `if kill -0 ${jvmPid} 2>/dev/null; then kill -TERM -${jvmPid} 2>/dev/null; ` +
    `for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 ${jvmPid} 2>/dev/null || exit 0; sleep 1; done; kill -KILL -${jvmPid} 2>/dev/null; fi`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`. Removes the pid file. */
export async function stopJvm(runDir: string, name: string, graceMs = 15_000): Promise<boolean> {
  const record = readPid(runDir, name);
  if (!record) return false;
  let stopped = false;
  if (isAlive(record.pid)) {
    signalGroup(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(record.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(record.pid)) signalGroup(record.pid, 'SIGKILL');
    while (isAlive(record.pid)) await sleep(50);
    stopped = true;
  }
  rmSync(pidFile(runDir, name), { force: true });
  return stopped;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resident set size in MiB from /proc, for the README's measurements and `status`. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
