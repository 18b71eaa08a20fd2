/**
 * Restores new tasks' stores from their changelogs (Kafka Streams'
 * StoreChangelogReader): decides, per logged store, where restoration
 * starts (the checkpoint, or 0) and ends, reports progress, and hands the
 * ranges to the restore consumer (`restorer.ts`), which applies them with
 * `store.restore` (bypassing cache and logging).
 *
 * Where restoration stops: the admin's end offsets are the last stable
 * offset (ListOffsets is read_committed). Right after a commit its
 * transaction markers may not be written yet, so the LSO can sit before
 * that commit's changelog records while its input offsets already count
 * as committed. The end is therefore the larger of the LSO and the end
 * this thread itself last wrote there (from the produce responses); the
 * read_committed restore consumer simply waits for the markers.
 *
 * Global stores do not come through here: like Kafka Streams'
 * GlobalStateManager, `global-state.ts` reads its source topics with a
 * consumer of its own and keeps following them after the initial load.
 */
import type { StateStore } from '../state/types.js';
import type { KafkaAdmin, KafkaConnectionOptions } from '../kafka/index.js';
import type { StreamsLogger } from './logger.js';
import type { RestoreProgress } from './options.js';
import { restorePartitions } from './restorer.js';
import type { RestoreRequest } from './restorer.js';

/** One logged store of a task to bring up to date. */
export interface StoreToRestore {
  readonly taskId: string;
  readonly store: string;
  readonly instance: StateStore;
  readonly changelog: string;
  readonly partition: number;
  /** Partition count of the changelog topic. */
  readonly partitions: number;
  /** The offset the local data reflects (the checkpoint), 0 for a full restore. */
  readonly from: bigint;
}

export interface ChangelogReaderOptions {
  readonly admin: Pick<KafkaAdmin, 'endOffsets'>;
  readonly connection: KafkaConnectionOptions;
  /** The restore consumer's group: `<appId>-restore-<instanceId>`. */
  readonly groupId: string;
  readonly exactlyOnce: boolean;
  readonly logger: StreamsLogger;
  readonly now: () => number;
  /** The end offset after this thread's last committed write to a partition (see the header). */
  readonly writtenEnd: (topic: string, partition: number) => bigint | undefined;
  /** Checked between batches: true abandons the restoration (shutdown, fatal error). */
  readonly cancelled: () => boolean;
  readonly onProgress?: (progress: RestoreProgress) => void;
  /** The restore consumer; tests pass a fake. */
  readonly restore?: typeof restorePartitions;
}

/** Rounds of "read the ends again" after restoring (see settle). */
const SETTLE_ROUNDS = 5;

export class ChangelogReader {
  private readonly options: ChangelogReaderOptions;

  constructor(options: ChangelogReaderOptions) {
    this.options = options;
  }

  /**
   * Brings every store up to its changelog's end. Resolves to store key
   * (`<taskId>/<store>`) → the changelog offset the store now reflects.
   */
  async restore(stores: readonly StoreToRestore[]): Promise<Map<string, bigint>> {
    const { logger } = this.options;
    const positions = new Map<string, bigint>();
    const requests: Array<RestoreRequest & { done(): void }> = [];
    const lsos = new Map<string, Map<number, bigint>>();
    for (const s of stores) {
      let byPartition = lsos.get(s.changelog);
      if (!byPartition) {
        byPartition = new Map((await this.options.admin.endOffsets(s.changelog)).map((o) => [o.partition, BigInt(o.offset)]));
        lsos.set(s.changelog, byPartition);
      }
      const lso = byPartition.get(s.partition) ?? 0n;
      const written = this.options.writtenEnd(s.changelog, s.partition) ?? 0n;
      const to = written > lso ? written : lso;
      let from = s.from;
      if (from > to) {
        // The changelog is shorter than the checkpoint says (topic recreated?): start over.
        logger.warn({ taskId: s.taskId, store: s.store, checkpoint: from.toString(), end: to.toString() }, 'checkpoint beyond changelog end; restoring fully');
        from = 0n;
      }
      const total = Number(to - from);
      const report = (phase: RestoreProgress['phase'], restored: number): void =>
        this.options.onProgress?.({ taskId: s.taskId, store: s.store, topic: s.changelog, partition: s.partition, phase, restored, total, startOffset: from.toString() });
      report('start', 0);
      positions.set(`${s.taskId}/${s.store}`, to);
      if (from >= to) {
        report('end', 0);
        continue;
      }
      let last = 0;
      requests.push({
        topic: s.changelog,
        partition: s.partition,
        partitions: s.partitions,
        from,
        to,
        apply: async (records, soFar) => {
          await s.instance.restore(records);
          last = soFar;
          report('batch', soFar);
        },
        done: () => report('end', last),
      });
    }
    const started = this.options.now();
    if (requests.length > 0) {
      await this.read(requests);
      for (const r of requests) r.done();
    }
    if (this.options.exactlyOnce) await this.settle(stores, positions);
    if (requests.length > 0) logger.info({ partitions: requests.length, ms: this.options.now() - started }, 'restoration complete');
    return positions;
  }

  private read(requests: readonly RestoreRequest[]): Promise<void> {
    return (this.options.restore ?? restorePartitions)(requests, {
      connection: this.options.connection,
      groupId: this.options.groupId,
      isolation: this.options.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      logger: this.options.logger,
      cancelled: this.options.cancelled,
      now: this.options.now,
    });
  }

  /**
   * Under exactly-once, a previous owner's last transaction may become
   * readable only after its end was read above (its markers were still
   * being written: the end is the last stable offset). Such a transaction's
   * input offsets count as committed as soon as its markers are written, so
   * the state must include it: read the ends again and restore what
   * appeared, until two reads agree (at most five rounds). The caller reads
   * the committed offsets right after (stream-thread.ts).
   */
  private async settle(stores: readonly StoreToRestore[], positions: Map<string, bigint>): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      const ends = new Map<string, Map<number, bigint>>();
      const late: RestoreRequest[] = [];
      for (const s of stores) {
        let byPartition = ends.get(s.changelog);
        if (!byPartition) {
          byPartition = new Map((await this.options.admin.endOffsets(s.changelog)).map((o) => [o.partition, BigInt(o.offset)]));
          ends.set(s.changelog, byPartition);
        }
        const key = `${s.taskId}/${s.store}`;
        const at = positions.get(key) ?? 0n;
        const lso = byPartition.get(s.partition) ?? 0n;
        if (lso <= at) continue;
        late.push({ topic: s.changelog, partition: s.partition, partitions: s.partitions, from: at, to: lso, apply: (records) => s.instance.restore(records) });
        positions.set(key, lso);
      }
      if (late.length === 0) return;
      this.options.logger.info({ partitions: late.map((r) => `${r.topic}:${r.partition}@${r.from}-${r.to}`) }, 'a previous owner\'s last commit became readable during restoration; restoring it too');
      await this.read(late);
    }
  }
}
