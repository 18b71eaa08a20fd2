import type { Cancellable, Punctuator } from '../processor.js';

interface Schedule {
  readonly nodeName: string;
  readonly intervalMs: number;
  readonly punctuator: Punctuator;
  nextMs: number;
  cancelled: boolean;
}

/**
 * Punctuation schedules of one type (stream time or wall clock) for a
 * task, with Kafka Streams' catch-up rule: when time jumps past several
 * intervals the punctuator fires once, and the next firing is realigned to
 * the interval grid after the current time.
 */
export class PunctuationQueue {
  private schedules: Schedule[] = [];

  schedule(nodeName: string, firstMs: number, intervalMs: number, punctuator: Punctuator): Cancellable {
    const s: Schedule = { nodeName, intervalMs, punctuator, nextMs: firstMs, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
        this.schedules = this.schedules.filter((x) => x !== s);
      },
    };
  }

  /** Whether any schedule is due at `nowMs`: checked per record, without a promise. */
  isDue(nowMs: number): boolean {
    for (const s of this.schedules) if (!s.cancelled && s.nextMs <= nowMs) return true;
    return false;
  }

  /**
   * Fires every schedule due at `nowMs`, earliest first (ties in scheduling
   * order). `run` executes the punctuator in its node's context. Returns
   * whether anything fired.
   */
  async mayPunctuate(nowMs: number, run: (nodeName: string, punctuator: Punctuator, nowMs: number) => Promise<void>): Promise<boolean> {
    let fired = false;
    for (;;) {
      // Called once per record: find the earliest due schedule without allocating.
      let due: Schedule | undefined;
      for (const s of this.schedules) {
        if (!s.cancelled && s.nextMs <= nowMs && (due === undefined || s.nextMs < due.nextMs)) due = s;
      }
      if (!due) return fired;
      const scheduled = due.nextMs;
      // Advance before running so a punctuator that throws or reschedules cannot loop forever.
      due.nextMs =
        nowMs >= scheduled + due.intervalMs
          ? scheduled + (Math.floor((nowMs - scheduled) / due.intervalMs) + 1) * due.intervalMs
          : scheduled + due.intervalMs;
      fired = true;
      await run(due.nodeName, due.punctuator, nowMs);
    }
  }

  /** When the earliest schedule is due (undefined when none is scheduled): the runtime arms its timer for it. */
  get nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const s of this.schedules) if (!s.cancelled && (next === undefined || s.nextMs < next)) next = s.nextMs;
    return next;
  }

  get size(): number {
    return this.schedules.length;
  }
}
