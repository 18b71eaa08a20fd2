import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, deleteCheckpoint, parseCheckpoint, readCheckpoint, storesMissingFromDisk, writeCheckpoint } from '../../../src/streams/runtime/checkpoint-file.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-cp-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('task checkpoint file', () => {
  it('round-trips 64-bit offsets per store', async () => {
    const dir = tempDir();
    await writeCheckpoint(dir, new Map([['counts', 9_007_199_254_740_993n], ['users', 0n]]));
    expect(await readCheckpoint(dir)).toEqual(new Map([['counts', 9_007_199_254_740_993n], ['users', 0n]]));
  });

  it('is absent when never written or deleted, which forces a full restore', async () => {
    const dir = tempDir();
    expect(await readCheckpoint(dir)).toBeUndefined();
    await writeCheckpoint(dir, new Map([['s', 5n]]));
    await deleteCheckpoint(dir);
    expect(await readCheckpoint(dir)).toBeUndefined();
  });

  it('treats a corrupt file as absent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, CHECKPOINT_FILE), '{"counts": "12');
    expect(await readCheckpoint(dir)).toBeUndefined();
    expect(parseCheckpoint('{"counts": -1}')).toBeUndefined();
    expect(parseCheckpoint('[1]')).toBeUndefined();
  });

  it('replaces the file atomically (no temp file left behind)', async () => {
    const dir = tempDir();
    await writeCheckpoint(dir, new Map([['s', 1n]]));
    await writeCheckpoint(dir, new Map([['s', 2n]]));
    expect(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')).toBe('{"s":"2"}');
  });

  it('names the stores whose directory is gone although the checkpoint says they hold data (a full restore is needed)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'present'));
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const checkpoint = new Map([['present', 10n], ['deleted', 10n], ['a-file', 3n], ['empty-and-gone', 0n]]);
    expect(await storesMissingFromDisk(dir, checkpoint)).toEqual(['deleted', 'a-file']);
    expect(await storesMissingFromDisk(join(dir, 'no-such-task'), new Map([['s', 1n]]))).toEqual(['s']);
  });
});
