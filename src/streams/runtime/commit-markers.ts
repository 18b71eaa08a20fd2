/**
 * Waits, before an exactly-once instance hands its tasks over, until the
 * transaction markers of its last commit are written.
 *
 * A committed transaction becomes readable (read_committed) only once the
 * transaction coordinator has written its markers, which happens after the
 * producer's EndTxn has already returned. An instance that closed right
 * after its last commit can therefore leave a successor that reads the
 * committed input offsets *after* the markers but the changelog's end
 * *before* them: the restored state then lacks that last transaction for
 * good (seen in CI: a count that stopped 39 short). Kafka Streams closes
 * this window with KIP-447's `require_stable` offset fetch; kafkajs has no
 * OffsetFetch v7, so the closing instance waits instead: every changelog
 * partition it wrote must show a last stable offset at or past the end of
 * its own write. On a quiet broker this is one ListOffsets round trip.
 */
import type { KafkaAdmin } from '../kafka/index.js';
import type { Clock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import type { StreamsLogger } from './logger.js';

export interface CommitMarkerWait {
  readonly admin: Pick<KafkaAdmin, 'endOffsets'>;
  /** topic → partition → the end offset after this thread's last committed write. */
  readonly written: ReadonlyMap<string, ReadonlyMap<number, bigint>>;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: StreamsLogger;
  /** Gives up (with a warning) after this long; the successor then faces the window above. */
  readonly timeoutMs: number;
  /** Pause between ListOffsets rounds. */
  readonly pollMs?: number;
}

/** Resolves true once every written partition's LSO reached its written end, false on timeout. */
export async function awaitCommitMarkers(wait: CommitMarkerWait): Promise<boolean> {
  const { admin, clock, timers, logger, timeoutMs } = wait;
  const deadline = clock.now() + timeoutMs;
  let waiting = new Map(wait.written);
  for (;;) {
    const still = new Map<string, ReadonlyMap<number, bigint>>();
    for (const [topic, ends] of waiting) {
      const lso = new Map((await admin.endOffsets(topic)).map((o) => [o.partition, BigInt(o.offset)]));
      const behind = new Map([...ends].filter(([partition, end]) => (lso.get(partition) ?? 0n) < end));
      if (behind.size > 0) still.set(topic, behind);
    }
    if (still.size === 0) return true;
    if (clock.now() >= deadline) {
      logger.warn({ partitions: describe(still), timeoutMs }, 'the last commit\'s transaction markers are still not written; the next owner of these tasks may restore without that commit');
      return false;
    }
    waiting = still;
    await new Promise<void>((resolve) => timers.set(resolve, wait.pollMs ?? 20));
  }
}

function describe(m: ReadonlyMap<string, ReadonlyMap<number, bigint>>): string[] {
  return [...m].flatMap(([topic, ends]) => [...ends].map(([p, end]) => `${topic}:${p}@${end}`));
}
