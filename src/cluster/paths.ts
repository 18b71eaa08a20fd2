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

/**
 * Data, logs and pid files of running clusters: inside the clone, git-ignored.
 * A cluster on shifted ports (VIGIL_PORT_OFFSET) gets a directory of its own,
 * so two runs in one clone never mistake each other's JVMs for their own
 * (and never stop them).
 */
export function runDir(topology: string): string {
  const offset = Number(process.env.VIGIL_PORT_OFFSET ?? 0);
  const name = offset ? `${topology}+${offset}` : topology;
  return process.env.VIGIL_RUN_DIR ? join(process.env.VIGIL_RUN_DIR, name) : join(projectRoot, '.vigil', 'cluster', name);
}
