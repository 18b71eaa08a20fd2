import type { TopicPartitionOffset } from '../streams/kafka/index.js';

interface PartitionProgress {
  /** Offsets handed out and not yet finished, in offset order. */
  pending: bigint[];
  finished: Set<bigint>;
  /** One past the last offset the consumer has seen (records, markers, aborted data). */
  seenEnd: bigint;
  committed: bigint;
}

/**
 * Which offset is safe to commit per partition: the lowest alert still in
 * delivery, or, when none is, one past the last offset seen. Alerts finish
 * out of order (a retried one behind delivered ones), so the commit point
 * stays at the oldest unfinished alert until it is delivered or
 * dead-lettered.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionProgress & { topic: string; partition: number }>();

  #get(topic: string, partition: number) {
    const key = `${topic}\u0000${partition}`;
    let p = this.#partitions.get(key);
    if (!p) {
      p = { topic, partition, pending: [], finished: new Set(), seenEnd: -1n, committed: -1n };
      this.#partitions.set(key, p);
    }
    return p;
  }

  start(topic: string, partition: number, offset: string): void {
    const p = this.#get(topic, partition);
    const o = BigInt(offset);
    p.pending.push(o);
    if (o + 1n > p.seenEnd) p.seenEnd = o + 1n;
  }

  finish(topic: string, partition: number, offset: string): void {
    const p = this.#get(topic, partition);
    p.finished.add(BigInt(offset));
    while (p.pending.length > 0 && p.finished.has(p.pending[0] as bigint)) p.finished.delete(p.pending.shift() as bigint);
  }

  /** The consumer got through `lastOffset` (transaction markers included). */
  seen(topic: string, partition: number, lastOffset: string): void {
    const p = this.#get(topic, partition);
    const end = BigInt(lastOffset) + 1n;
    if (end > p.seenEnd) p.seenEnd = end;
  }

  /** Offsets that moved since the last call; call {@link markCommitted} after a successful commit. */
  committable(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const p of this.#partitions.values()) {
      const safe = p.pending.length > 0 ? (p.pending[0] as bigint) : p.seenEnd;
      if (safe > p.committed && safe >= 0n) out.push({ topic: p.topic, partition: p.partition, offset: safe.toString() });
    }
    return out;
  }

  markCommitted(offsets: TopicPartitionOffset[]): void {
    for (const o of offsets) {
      const p = this.#get(o.topic, o.partition);
      const v = BigInt(o.offset);
      if (v > p.committed) p.committed = v;
    }
  }

  /** Forgets everything: after a rebalance the group's committed offsets are the truth again. */
  reset(): void {
    this.#partitions.clear();
  }
}
