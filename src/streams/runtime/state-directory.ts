/**
 * The application's directory on disk, `<stateDir>/<applicationId>/`, as
 * Kafka Streams' StateDirectory keeps it: one sub-directory per task
 * (`<subtopology>_<partition>`), the lock that keeps two instances off the
 * same directory, wiping a task's state, and the task's `.checkpoint` file
 * (format in `checkpoint-file.ts`; the only checkpoint mechanism: stores
 * keep no offsets of their own).
 *
 * Which checkpoint a task may trust at start depends on the guarantee:
 * under exactly-once a checkpoint is deleted as soon as it is read, so a
 * crash from then on restores fully from the committed changelog and never
 * from local data that may hold uncommitted writes.
 */
import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VigilError } from '../errors.js';
import { deleteCheckpoint, readCheckpoint, storesMissingFromDisk, writeCheckpoint } from './checkpoint-file.js';
import type { Checkpoint } from './checkpoint-file.js';
import type { StreamsLogger } from './logger.js';

export const LOCK_FILE = '.lock';

/** Lock holders in this process (`process.kill(pid, 0)` cannot tell two instances of one process apart). */
const heldInProcess = new Set<string>();

export interface StateDirectoryOptions {
  /** The configured `stateDir`; the application's directory is `<stateDir>/<applicationId>`. */
  readonly stateDir: string;
  readonly applicationId: string;
  readonly exactlyOnce: boolean;
  readonly logger: StreamsLogger;
  /** Identifies the holder in the lock file (for the error another instance sees). */
  readonly instanceId: string;
  /** Whether a process is alive; tests pass a fake. */
  readonly isAlive?: (pid: number) => boolean;
}

export class StateDirectory {
  readonly appDir: string;
  private readonly options: StateDirectoryOptions;
  private locked = false;
  /** Task ids with a directory on disk: what this instance could resume warm (sent to the assignor). */
  private readonly onDisk = new Set<string>();

  constructor(options: StateDirectoryOptions) {
    this.options = options;
    this.appDir = join(options.stateDir, options.applicationId);
  }

  taskDir(taskId: string): string {
    return join(this.appDir, taskId);
  }

  /**
   * Takes the application directory for this instance and lists the task
   * directories already there. Fails with VIGIL_ERR_STATE_STORE when another
   * live instance holds it; a lock left by a process that died is taken over.
   */
  async lock(): Promise<void> {
    if (this.locked) return;
    const path = join(this.appDir, LOCK_FILE);
    await mkdir(this.appDir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(JSON.stringify({ pid: process.pid, instanceId: this.options.instanceId }));
        await handle.close();
        this.locked = true;
        heldInProcess.add(path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = await readHolder(path);
        const alive = this.options.isAlive ?? isAlive;
        const stale = holder === undefined || (holder.pid === process.pid ? !heldInProcess.has(path) : !alive(holder.pid));
        if (!stale || attempt === 1) {
          throw new VigilError(
            'VIGIL_ERR_STATE_STORE',
            `state directory ${this.appDir} is in use by instance ${holder?.instanceId ?? '?'} (pid ${holder?.pid ?? '?'}); stop that instance or give this one its own stateDir`,
          );
        }
        this.options.logger.warn({ dir: this.appDir, holder }, 'taking over the state directory lock of a process that is gone');
        await rm(path, { force: true });
      }
    }
    for (const entry of await readdir(this.appDir, { withFileTypes: true })) {
      if (entry.isDirectory() && /^\d+_\d+$/.test(entry.name)) this.onDisk.add(entry.name);
    }
  }

  async unlock(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    const path = join(this.appDir, LOCK_FILE);
    heldInProcess.delete(path);
    await rm(path, { force: true });
  }

  /** Task ids whose state is on disk (read at `lock`, then kept up to date). */
  tasksOnDisk(): string[] {
    return [...this.onDisk].sort();
  }

  /**
   * The checkpoint a new task may restore from, or undefined: then the task
   * directory has been wiped (local data without a valid checkpoint may
   * hold writes that never reached the changelog) and the task restores
   * fully.
   */
  async checkpointForStart(taskId: string): Promise<Checkpoint | undefined> {
    const dir = this.taskDir(taskId);
    this.onDisk.add(taskId);
    let checkpoint = await readCheckpoint(dir);
    // Exactly-once: the checkpoint is only valid for the run that wrote it; a crash from now on must restore fully.
    if (this.options.exactlyOnce) await deleteCheckpoint(dir);
    const missing = checkpoint === undefined ? [] : await storesMissingFromDisk(dir, checkpoint);
    if (missing.length > 0) {
      this.options.logger.warn({ taskId, stores: missing }, 'state store directory missing; wiping the task state and restoring it from the changelog');
      checkpoint = undefined;
    } else if (checkpoint === undefined) {
      this.options.logger.info({ taskId }, 'no checkpoint (first start, crash, or state deleted): restoring the task state from the changelog');
    }
    if (checkpoint === undefined) await rm(dir, { recursive: true, force: true });
    return checkpoint;
  }

  /** Drops the task's local state (stores and checkpoint). */
  async wipe(taskId: string): Promise<void> {
    this.onDisk.delete(taskId);
    await rm(this.taskDir(taskId), { recursive: true, force: true });
  }

  /** Records the changelog offsets the task's flushed stores reflect (atomically: temp file + rename). */
  async checkpoint(taskId: string, checkpoint: Checkpoint): Promise<void> {
    this.onDisk.add(taskId);
    await writeCheckpoint(this.taskDir(taskId), checkpoint);
  }
}

async function readHolder(path: string): Promise<{ pid: number; instanceId: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; instanceId?: unknown };
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, instanceId: String(parsed.instanceId) };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
