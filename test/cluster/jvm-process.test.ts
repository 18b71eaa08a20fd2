import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readPid, startJvm, stopJvm } from '../../src/cluster/jvm-process.js';

// These tests use `sleep` in place of a JVM: process handling is the same.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-jvm-'));
  dirs.push(d);
  return d;
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await sleep(100);
  }
  return predicate();
}

describe('JVM process handling', () => {
  it('records the pid and stops the whole process group', async () => {
    const dir = tempDir();
    // A shell that forks a grandchild: stopping must take both.
    const rec = startJvm({ name: 'fake', command: '/bin/sh', args: ['-c', 'sleep 300 & wait'], runDir: dir });
    expect(readPid(dir, 'fake')?.pid).toBe(rec.pid);
    expect(isAlive(rec.pid)).toBe(true);
    expect(await stopJvm(dir, 'fake', 2_000)).toBe(true);
    expect(isAlive(rec.pid)).toBe(false);
    expect(readPid(dir, 'fake')).toBeUndefined();
  });

  it('stops the JVM when its owner process dies without cleaning up', async () => {
    const dir = tempDir();
    // The owner is a separate Node process that starts the "JVM" and is then SIGKILLed.
    const script = `
      import { startJvm } from ${JSON.stringify(new URL('../../src/cluster/jvm-process.ts', import.meta.url).pathname)};
      const rec = startJvm({ name: 'orphan', command: '/bin/sleep', args: ['300'], runDir: ${JSON.stringify(dir)}, ownerPid: process.pid });
      process.stdout.write(String(rec.pid) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const jvmPid = await new Promise<number>((resolve) => owner.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(isAlive(jvmPid)).toBe(true);
    owner.kill('SIGKILL');
    expect(await waitFor(() => !isAlive(jvmPid), 10_000)).toBe(true);
  });
});
