import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../../../src/streams/runtime/checkpoint-file.js';
import { noopLogger } from '../../../src/streams/runtime/logger.js';
import { LOCK_FILE, StateDirectory } from '../../../src/streams/runtime/state-directory.js';

const dirs: string[] = [];
const held: StateDirectory[] = [];
afterEach(async () => {
  for (const d of held.splice(0)) await d.unlock();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDirectory(stateDir: string, o: { exactlyOnce?: boolean; instanceId?: string; isAlive?: (pid: number) => boolean } = {}): StateDirectory {
  const d = new StateDirectory({ stateDir, applicationId: 'app', exactlyOnce: o.exactlyOnce ?? false, logger: noopLogger, instanceId: o.instanceId ?? 'a', ...(o.isAlive ? { isAlive: o.isAlive } : {}) });
  held.push(d);
  return d;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-sd-'));
  dirs.push(d);
  return d;
}

describe('StateDirectory lock', () => {
  it('refuses a second instance on the same directory with VIGIL_ERR_STATE_STORE naming the holder', async () => {
    const root = tempDir();
    await stateDirectory(root, { instanceId: 'first' }).lock();
    const error = await stateDirectory(root, { instanceId: 'second' }).lock().catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_STATE_STORE')).toBe(true);
    expect((error as Error).message).toContain('instance first');
  });

  it('can be taken again once unlocked', async () => {
    const root = tempDir();
    const first = stateDirectory(root);
    await first.lock();
    await first.unlock();
    expect(existsSync(join(root, 'app', LOCK_FILE))).toBe(false);
    await stateDirectory(root).lock();
    expect(existsSync(join(root, 'app', LOCK_FILE))).toBe(true);
  });

  it('takes over a lock whose process is gone', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app', LOCK_FILE), JSON.stringify({ pid: 4_000_000, instanceId: 'crashed' }));
    await expect(stateDirectory(root, { isAlive: () => false }).lock()).resolves.toBeUndefined();
  });

  it('keeps a lock whose process is alive in another process', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'app'), { recursive: true });
    writeFileSync(join(root, 'app', LOCK_FILE), JSON.stringify({ pid: 4_000_000, instanceId: 'other' }));
    await expect(stateDirectory(root, { isAlive: () => true }).lock()).rejects.toThrow(/in use by instance other/);
  });

  it('lists the task directories already on disk', async () => {
    const root = tempDir();
    for (const t of ['0_1', '1_0', 'global']) mkdirSync(join(root, 'app', t), { recursive: true });
    const d = stateDirectory(root);
    await d.lock();
    expect(d.tasksOnDisk()).toEqual(['0_1', '1_0']);
    await d.wipe('0_1');
    expect(d.tasksOnDisk()).toEqual(['1_0']);
    expect(existsSync(join(root, 'app', '0_1'))).toBe(false);
  });
});

describe('StateDirectory checkpoints', () => {
  async function withCheckpoint(exactlyOnce: boolean) {
    const root = tempDir();
    const d = stateDirectory(root, { exactlyOnce });
    mkdirSync(join(root, 'app', '0_0', 'counts'), { recursive: true });
    await d.checkpoint('0_0', new Map([['counts', 42n]]));
    return { root, d };
  }

  it('at-least-once: a task starts from its checkpoint, which stays on disk', async () => {
    const { root, d } = await withCheckpoint(false);
    expect(await d.checkpointForStart('0_0')).toEqual(new Map([['counts', 42n]]));
    expect(await readCheckpoint(join(root, 'app', '0_0'))).toEqual(new Map([['counts', 42n]]));
  });

  it('exactly-once: the checkpoint is used once and deleted, so a crash afterwards restores fully', async () => {
    const { root, d } = await withCheckpoint(true);
    expect(await d.checkpointForStart('0_0')).toEqual(new Map([['counts', 42n]]));
    expect(existsSync(join(root, 'app', '0_0', CHECKPOINT_FILE))).toBe(false);
    expect(existsSync(join(root, 'app', '0_0', 'counts'))).toBe(true);
  });

  it('wipes the task directory when there is no checkpoint (local data may hold uncommitted writes)', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'app', '0_0', 'counts'), { recursive: true });
    expect(await stateDirectory(root).checkpointForStart('0_0')).toBeUndefined();
    expect(existsSync(join(root, 'app', '0_0'))).toBe(false);
  });

  it('ignores and wipes a checkpoint naming a store whose directory is gone', async () => {
    const { root, d } = await withCheckpoint(false);
    rmSync(join(root, 'app', '0_0', 'counts'), { recursive: true });
    expect(await d.checkpointForStart('0_0')).toBeUndefined();
    expect(existsSync(join(root, 'app', '0_0'))).toBe(false);
  });
});
