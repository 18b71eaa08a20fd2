/**
 * `--compare <git-rev>` (issue 12): Vigil at another revision, run beside the
 * working tree in the same latency run, so an engine change shows as a ratio
 * measured under the same load rather than as two figures from different
 * days. The revision is checked out once as a detached git worktree under
 * the cache directory (~/.cache/vigil/bench-compare/<commit>), `npm ci` is
 * run there once, and both are reused by later runs. Only its src/ is used:
 * the harness's own vigil-app.ts imports the topology, engine and serdes
 * from that tree (SutConfig.srcRoot), so the revision must have the same
 * module paths and option names as this harness expects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CompareTree {
  rev: string;
  commit: string;
  short: string;
  dir: string;
}

export function compareCacheDir(): string {
  return join(process.env.VIGIL_CACHE_DIR ?? join(homedir(), '.cache', 'vigil'), 'bench-compare');
}

function run(cmd: string, args: string[], cwd: string): string {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`--compare: \`${cmd} ${args.join(' ')}\` failed in ${cwd}: ${(res.stderr ?? '').trim().slice(-800)}`);
  return res.stdout.trim();
}

/** The worktree for `rev`, created and installed on first use. `log` reports the slow steps. */
export function prepareCompareTree(repo: string, rev: string, log: (line: string) => void): CompareTree {
  const commit = run('git', ['rev-parse', '--verify', `${rev}^{commit}`], repo);
  const dir = join(compareCacheDir(), commit);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(compareCacheDir(), { recursive: true });
    log(`--compare: git worktree add --detach ${dir} ${commit.slice(0, 7)}`);
    // A directory left by an interrupted run is pruned from git's list first.
    run('git', ['worktree', 'prune'], repo);
    run('git', ['worktree', 'add', '--force', '--detach', dir, commit], repo);
  }
  if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) {
    log(`--compare: npm ci in ${dir} (once; reused by later runs)`);
    run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  }
  return { rev, commit, short: commit.slice(0, 7), dir };
}
