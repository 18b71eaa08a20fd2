/**
 * The tasks of one stream thread (Kafka Streams' TaskManager): creates a
 * StreamTask per assigned (sub-topology, partition), restores it before
 * its processors start, routes fetched records to it, and closes it clean
 * (checkpoint written) or dirty (local state wiped) when it is revoked.
 *
 * It also keeps each task's commit bookkeeping: the offsets consumed since
 * the last commit, the position that filters re-deliveries after a
 * rebalance, and the changelog offsets its stores reflect.
 */
import type { StreamsConfig } from '../config.js';
import { StreamTask } from '../processor/internal/stream-task.js';
import type { SubtopologyPlan, TopologyPlan } from '../processor/internal/topology-model.js';
import type { StateStore } from '../state/types.js';
import type { Clock } from '../time/clock.js';
import type { Checkpoint } from './checkpoint-file.js';
import type { ChangelogReader, StoreToRestore } from './changelog-reader.js';
import type { TopicPartitionOffset } from '../kafka/index.js';
import type { StreamsLogger } from './logger.js';
import type { CommitResult, RecordCollector, SealedOutput } from './record-collector.js';
import type { StateDirectory } from './state-directory.js';
import type { TopicLayout } from './topic-layout.js';

/** A running task and its bookkeeping. */
export interface TaskHandle {
  readonly task: StreamTask;
  readonly subtopology: number;
  readonly partition: number;
  /** source topic → next offset to commit (uncommitted progress). */
  readonly offsets: Map<string, bigint>;
  /** source topic → next offset expected; older records are re-deliveries after a rebalance. */
  readonly positions: Map<string, bigint>;
  /** store → next changelog offset (what the local store reflects once committed). */
  readonly changelogPositions: Map<string, bigint>;
  /** Whether the checkpoint on disk is behind `changelogPositions`. */
  checkpointStale: boolean;
}

/** A commit whose output and offsets are taken out of the running epoch but not yet written. */
export interface SealedCommit {
  readonly output: SealedOutput;
  readonly offsets: TopicPartitionOffset[];
  /** Per task, the offsets taken (given back if the commit does not happen). */
  readonly taken: ReadonlyArray<readonly [TaskHandle, ReadonlyMap<string, bigint>]>;
}

export interface TaskManagerOptions {
  readonly config: StreamsConfig;
  readonly plan: TopologyPlan;
  readonly layout: TopicLayout;
  readonly stateDirectory: StateDirectory;
  readonly collector: RecordCollector;
  readonly changelogReader: ChangelogReader;
  readonly clock: Clock;
  readonly logger: StreamsLogger;
  readonly exactlyOnce: boolean;
  /** The instance's global stores (GlobalKTable), which every task may read. */
  readonly globalStores?: ReadonlyMap<string, StateStore> | undefined;
}

export class TaskManager {
  private readonly options: TaskManagerOptions;
  private readonly handles = new Map<string, TaskHandle>();
  /** `<topic>:<partition>` → handle */
  private readonly routes = new Map<string, TaskHandle>();
  private readonly subPlans = new Map<number, SubtopologyPlan>();

  constructor(options: TaskManagerOptions) {
    this.options = options;
    for (const sub of options.plan.subtopologies) this.subPlans.set(sub.id as number, sub);
  }

  /** The running tasks, in creation order. */
  tasks(): TaskHandle[] {
    return [...this.handles.values()];
  }

  taskIds(): string[] {
    return [...this.handles.keys()].sort();
  }

  /** The task that reads `(topic, partition)`, if this thread runs it. */
  route(topic: string, partition: number): TaskHandle | undefined {
    return this.routes.get(`${topic}:${partition}`);
  }

  /** Local tasks' open stores named `name` (interactive queries). */
  storesNamed(name: string): StateStore[] {
    const result: StateStore[] = [];
    for (const h of this.handles.values()) {
      const s = h.task.stores.get(name);
      if (s?.isOpen()) result.push(s);
    }
    return result;
  }

  /** Output or consumed offsets not committed yet. */
  hasPending(h: TaskHandle): boolean {
    return this.options.collector.hasPending(h.task.id) || h.offsets.size > 0;
  }

  /**
   * Makes the running tasks those of `assigned` (topic → partitions):
   * closes the revoked ones (clean unless they hold uncommitted work),
   * creates and restores the new ones, then initialises their processors
   * (after restoration, as in Kafka Streams, so a processor reading its
   * store in `init` sees the restored data). Returns the created task ids.
   */
  async assign(assigned: ReadonlyMap<string, readonly number[]>): Promise<string[]> {
    const wanted = new Map<string, { sub: number; partition: number }>();
    for (const [topic, partitions] of assigned) {
      const sub = this.options.layout.sourceTopics.get(topic);
      if (sub === undefined) continue;
      for (const partition of partitions) wanted.set(`${sub}_${partition}`, { sub, partition });
    }
    for (const [id, h] of [...this.handles]) if (!wanted.has(id)) await this.close(h, !this.hasPending(h));
    const created: TaskHandle[] = [];
    for (const [id, { sub, partition }] of wanted) if (!this.handles.has(id)) created.push(await this.create(sub, partition));
    await this.restore(created);
    for (const h of created) await h.task.completeRestoration();
    return created.map((h) => h.task.id);
  }

  /** The source topic-partitions the tasks `taskIds` consume. */
  sourcePartitionsOf(taskIds: readonly string[]): Array<{ topic: string; partition: number }> {
    const out: Array<{ topic: string; partition: number }> = [];
    for (const id of taskIds) {
      const h = this.handles.get(id);
      if (!h) continue;
      for (const [topic, sub] of this.options.layout.sourceTopics) if (sub === h.subtopology) out.push({ topic, partition: h.partition });
    }
    return out;
  }

  /** Closes every task; `clean` decides per task (true: checkpoint written, false: state wiped). */
  async closeAll(clean: (h: TaskHandle) => boolean): Promise<void> {
    for (const h of [...this.handles.values()]) await this.close(h, clean(h));
  }

  /**
   * Flushes every task ahead of a commit: stores (caches emit then), then
   * the task's collector. Work a task buffered for the commit is forwarded
   * here, so it belongs to this commit.
   */
  async prepareCommit(): Promise<void> {
    for (const h of this.handles.values()) await h.task.commit();
  }

  /**
   * Commits every task: flushes them (`prepareCommit`), takes their
   * consumed offsets, and has the collector write the output and the
   * offsets (one transaction under exactly-once). Returns what was
   * written (all 0: nothing to commit), or undefined when `abortIf` stopped
   * it (the work stays buffered).
   */
  async commit(abortIf: () => boolean): Promise<{ records: number; offsets: number } | undefined> {
    const sealed = await this.seal();
    if (sealed === undefined) return { records: 0, offsets: 0 };
    return this.write(sealed, abortIf);
  }

  /**
   * The first half of a commit: flushes every task, then takes its output
   * and consumed offsets out of the running epoch. Undefined when there is
   * nothing to commit. Records processed after this belong to the next
   * commit, so the caller may go on processing while `write` runs.
   */
  async seal(): Promise<SealedCommit | undefined> {
    // One call per task before the offsets are taken: whatever a task forwards while flushing belongs to this commit.
    await this.prepareCommit();
    const offsets = this.offsetsToCommit();
    if (this.options.collector.buffered === 0 && offsets.length === 0) {
      await this.writeStaleCheckpoints();
      return undefined;
    }
    const taken: Array<[TaskHandle, Map<string, bigint>]> = [];
    for (const h of this.handles.values()) {
      if (h.offsets.size === 0) continue;
      taken.push([h, new Map(h.offsets)]);
      h.offsets.clear();
    }
    return { output: this.options.collector.seal(), offsets, taken };
  }

  /**
   * The second half: writes a sealed commit (one transaction under
   * exactly-once). When it does not commit (`abortIf`, or an error, which
   * is rethrown) its output and offsets go back into the running epoch.
   */
  async write(sealed: SealedCommit, abortIf: () => boolean): Promise<{ records: number; offsets: number } | undefined> {
    let result: CommitResult;
    try {
      result = await this.options.collector.commitSealed(sealed.output, sealed.offsets, abortIf);
    } catch (error) {
      this.untake(sealed);
      throw error;
    }
    if (!result.committed) {
      this.untake(sealed);
      return undefined;
    }
    await this.committed(result.ends);
    return { records: result.records, offsets: sealed.offsets.length };
  }

  /** Gives back consumed offsets a commit took but did not commit, unless a task has moved past them since. */
  private untake(sealed: SealedCommit): void {
    for (const [h, offsets] of sealed.taken) {
      if (this.handles.get(h.task.id) !== h) continue;
      for (const [topic, offset] of offsets) if (!h.offsets.has(topic)) h.offsets.set(topic, offset);
    }
  }

  /** The consumed offsets to commit, over all tasks. */
  offsetsToCommit(): TopicPartitionOffset[] {
    return [...this.handles.values()].flatMap((h) => [...h.offsets].map(([topic, offset]) => ({ topic, partition: h.partition, offset: offset.toString() })));
  }

  /** After a commit: moves changelog positions past `ends` and (at-least-once) checkpoints. */
  async committed(ends: ReadonlyMap<string, bigint>): Promise<void> {
    for (const h of this.handles.values()) {
      for (const [store, current] of h.changelogPositions) {
        const end = ends.get(`${this.options.layout.changelogs.get(store)}:${h.partition}`);
        if (end !== undefined && end > current) {
          h.changelogPositions.set(store, end);
          h.checkpointStale = true;
        }
      }
    }
    await this.writeStaleCheckpoints();
  }

  /**
   * At-least-once: checkpoints every task whose stores moved. Exactly-once
   * never checkpoints a running task: a crash must restore from the
   * committed changelog (see state-directory.ts).
   */
  async writeStaleCheckpoints(): Promise<void> {
    if (this.options.exactlyOnce) return;
    for (const h of this.handles.values()) {
      if (!h.checkpointStale) continue;
      await this.options.stateDirectory.checkpoint(h.task.id, this.checkpointOf(h));
      h.checkpointStale = false;
    }
  }

  /** Whether a processor asked for a commit (`context.commit()`). */
  get commitRequested(): boolean {
    for (const h of this.handles.values()) if (h.task.commitRequested) return true;
    return false;
  }

  /** The earliest time a wall-clock punctuator of any task is due (undefined: none scheduled). */
  nextWallClockPunctuationMs(): number | undefined {
    let next: number | undefined;
    for (const h of this.handles.values()) {
      const n = h.task.nextWallClockPunctuationMs;
      if (n !== undefined && (next === undefined || n < next)) next = n;
    }
    return next;
  }

  /** Fires the wall-clock punctuators due now in every task. */
  async punctuateWallClock(): Promise<void> {
    for (const h of this.handles.values()) await h.task.punctuateWallClock();
  }

  /** Reports each store's approximate size (LevelDB counts by scanning, hence the caller's interval). */
  async reportStoreSizes(report: (taskId: string, store: string, size: number) => void): Promise<void> {
    for (const h of this.handles.values()) {
      for (const [name, store] of h.task.stores) {
        const counter = store as Partial<{ approximateNumEntries(): Promise<number> }>;
        if (typeof counter.approximateNumEntries === 'function') report(h.task.id, name, await counter.approximateNumEntries());
      }
    }
  }

  private async create(sub: number, partition: number): Promise<TaskHandle> {
    const taskId = `${sub}_${partition}`;
    const { stateDirectory, logger } = this.options;
    let checkpoint = await stateDirectory.checkpointForStart(taskId);
    let handle = this.newHandle(sub, partition);
    // Stores only: processors' init runs after restoration (see assign).
    try {
      await handle.task.initializeStores();
    } catch (error) {
      logger.warn({ err: error, taskId }, 'state directory unusable; wiping it and restoring from the changelog');
      await handle.task.close().catch(() => {});
      await stateDirectory.wipe(taskId);
      checkpoint = undefined;
      handle = this.newHandle(sub, partition);
      await handle.task.initializeStores();
    }
    for (const [store, s] of handle.task.stores) {
      if (!this.options.layout.changelogs.has(store)) continue;
      handle.changelogPositions.set(store, s.persistent ? (checkpoint?.get(store) ?? 0n) : 0n);
    }
    this.handles.set(taskId, handle);
    // The layout's sources include the topics a pattern matched at start, not only the listed ones.
    for (const [topic, owner] of this.options.layout.sourceTopics) if (owner === sub) this.routes.set(`${topic}:${partition}`, handle);
    return handle;
  }

  private newHandle(sub: number, partition: number): TaskHandle {
    const { config, clock, collector, layout, globalStores, stateDirectory } = this.options;
    const taskId = `${sub}_${partition}`;
    const task = new StreamTask({
      plan: this.subPlans.get(sub) as SubtopologyPlan,
      partition,
      config,
      clock,
      stateDir: stateDirectory.taskDir(taskId),
      ...(globalStores ? { globalStores } : {}),
      collector: { send: (record) => collector.send(taskId, record) },
      onStoreChange: (change) => {
        const topic = layout.changelogs.get(change.store);
        if (topic === undefined) return;
        collector.send(taskId, { topic, partition, key: change.key, value: change.value, timestamp: change.timestamp, headers: new Map() });
      },
    });
    return { task, subtopology: sub, partition, offsets: new Map(), positions: new Map(), changelogPositions: new Map(), checkpointStale: false };
  }

  /** Clean: the task has nothing uncommitted, so its checkpoint is written. Dirty: its local state is wiped. */
  private async close(h: TaskHandle, clean: boolean): Promise<void> {
    const taskId = h.task.id;
    this.handles.delete(taskId);
    for (const [key, v] of [...this.routes]) if (v === h) this.routes.delete(key);
    await this.options.collector.discard(taskId);
    try {
      await h.task.close();
    } catch (error) {
      this.options.logger.warn({ err: error, taskId }, 'task did not close cleanly');
      clean = false;
    }
    if (clean) {
      await this.options.stateDirectory.checkpoint(taskId, this.checkpointOf(h));
    } else {
      this.options.logger.info({ taskId }, 'closing task with uncommitted work: dropping its local state');
      await this.options.stateDirectory.wipe(taskId);
    }
  }

  private checkpointOf(h: TaskHandle): Checkpoint {
    const cp: Checkpoint = new Map();
    for (const [store, offset] of h.changelogPositions) if (h.task.stores.get(store)?.persistent) cp.set(store, offset);
    return cp;
  }

  private async restore(created: readonly TaskHandle[]): Promise<void> {
    const stores: StoreToRestore[] = [];
    for (const h of created) {
      for (const [store, from] of h.changelogPositions) {
        stores.push({
          taskId: h.task.id,
          store,
          instance: h.task.stores.get(store) as StateStore,
          changelog: this.options.layout.changelogs.get(store) as string,
          partition: h.partition,
          partitions: this.options.layout.taskCounts.get(h.subtopology) ?? 1,
          from,
        });
      }
    }
    if (stores.length === 0) return;
    const positions = await this.options.changelogReader.restore(stores);
    for (const h of created) {
      for (const store of h.changelogPositions.keys()) {
        const to = positions.get(`${h.task.id}/${store}`);
        if (to !== undefined) h.changelogPositions.set(store, to);
      }
      h.checkpointStale = true;
    }
  }
}
