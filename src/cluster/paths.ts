import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in src/cluster/). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Downloaded jars live outside git and outside the clone, so every clone on
 * the machine shares one copy. VIGIL_CACHE_DIR overrides.
 */
export function cacheDir(): string {
  return process.env.VIGIL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vigil');
}

/** Data, logs and pid files of running clusters: inside the clone, git-ignored. */
export function runDir(topology: string): string {
  return process.env.VIGIL_RUN_DIR ? join(process.env.VIGIL_RUN_DIR, topology) : join(projectRoot, '.vigil', 'cluster', topology);
}
