import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/cluster/errors.js';
import { startJvm, stopJvm } from '../../src/cluster/jvm-process.js';
import { waitUntil } from '../../src/cluster/readiness.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) {
    await stopJvm(d, 'fake', 1_000);
    rmSync(d, { recursive: true, force: true });
  }
});

function fakeJvm(args: string[]): { pid: number; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ready-'));
  dirs.push(dir);
  const log = join(dir, 'server.log');
  writeFileSync(log, 'line one\nERROR Address already in use\n');
  const rec = startJvm({ name: 'fake', command: '/bin/sleep', args, runDir: dir });
  return { pid: rec.pid, log };
}

describe('waitUntil', () => {
  it('fails after its timeout with the tail of the log', async () => {
    const jvm = fakeJvm(['30']);
    const error = await waitUntil({ name: 'broker-x', pid: jvm.pid, logs: [jvm.log] }, async () => false, 600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).code).toBe('VIGIL_ERR_START_TIMEOUT');
    expect((error as Error).message).toContain('broker-x was not ready');
    expect((error as Error).message).toContain('ERROR Address already in use');
  });

  it('fails fast when the process exits during start-up', async () => {
    const jvm = fakeJvm(['0.2']);
    const started = Date.now();
    const error = await waitUntil({ name: 'broker-y', pid: jvm.pid, logs: [jvm.log] }, async () => false, 30_000).catch((e: unknown) => e);
    expect((error as ClusterError).code).toBe('VIGIL_ERR_PROCESS_EXITED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('resolves once the check passes', async () => {
    const jvm = fakeJvm(['30']);
    let calls = 0;
    await waitUntil({ name: 'z', pid: jvm.pid, logs: [] }, async () => ++calls === 3, 10_000);
    expect(calls).toBe(3);
  });
});
