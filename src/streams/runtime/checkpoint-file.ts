/**
 * The task's `.checkpoint` file, as in Kafka Streams: for each logged
 * store, the changelog offset its local data reflects (the offset to
 * restore from). It lives beside the stores in the task directory and is
 * written atomically (temp file + rename) after the stores were flushed,
 * so it is never ahead of the data.
 *
 * A file, not a key inside each LevelDB: exactly-once must be able to
 * delete it at start-up before any store is touched.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CHECKPOINT_FILE = '.checkpoint';

/** store name → offset to restore from */
export type Checkpoint = Map<string, bigint>;

/** Reads the checkpoint; undefined when absent or unreadable (which forces a full restore). */
export async function readCheckpoint(taskDir: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(join(taskDir, CHECKPOINT_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return parseCheckpoint(text);
}

export function parseCheckpoint(text: string): Checkpoint | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const result: Checkpoint = new Map();
    for (const [store, offset] of Object.entries(parsed)) {
      if (typeof offset !== 'string' || !/^\d+$/.test(offset)) return undefined;
      result.set(store, BigInt(offset));
    }
    return result;
  } catch {
    return undefined;
  }
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(Object.fromEntries([...checkpoint].map(([s, o]) => [s, o.toString()])));
}

export async function writeCheckpoint(taskDir: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(taskDir, { recursive: true });
  const tmp = join(taskDir, `${CHECKPOINT_FILE}.tmp`);
  await writeFile(tmp, formatCheckpoint(checkpoint));
  await rename(tmp, join(taskDir, CHECKPOINT_FILE));
}

export async function deleteCheckpoint(taskDir: string): Promise<void> {
  await rm(join(taskDir, CHECKPOINT_FILE), { force: true });
}

/**
 * Stores the checkpoint says hold data (offset above 0) whose directory
 * (`<taskDir>/<store>`) is gone. Trusting the checkpoint would restore only
 * the changelog's tail into an empty store, so the caller must restore fully.
 */
export async function storesMissingFromDisk(taskDir: string, checkpoint: Checkpoint): Promise<string[]> {
  const missing: string[] = [];
  for (const [store, offset] of checkpoint) {
    if (offset === 0n) continue;
    const isDir = await stat(join(taskDir, store)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) missing.push(store);
  }
  return missing;
}
