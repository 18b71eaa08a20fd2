/**
 * One timer kept armed for a moving deadline (the earliest wall-clock
 * punctuator of any task): `arm(at)` re-arms only when the deadline
 * changed, so calling it after every batch costs a comparison.
 */
import type { Clock } from '../time/clock.js';
import type { TimerHandle, Timers } from '../time/timers.js';

export class Alarm {
  private handle: TimerHandle | undefined;
  private deadline: number | undefined;

  constructor(
    private readonly timers: Timers,
    private readonly clock: Clock,
    private readonly onFire: () => void,
  ) {}

  /** The armed deadline (clock ms); it stays set after firing until the next `arm` or `clear`. */
  get dueMs(): number | undefined {
    return this.deadline;
  }

  /** Whether the deadline has passed. */
  isDue(): boolean {
    return this.deadline !== undefined && this.clock.now() >= this.deadline;
  }

  /** Fires `onFire` at `at` (clock ms); undefined disarms. */
  arm(at: number | undefined): void {
    if (at === this.deadline && (at === undefined || this.handle !== undefined)) return;
    this.clear();
    this.deadline = at;
    if (at === undefined) return;
    this.handle = this.timers.set(() => {
      this.handle = undefined;
      this.onFire();
    }, Math.max(0, at - this.clock.now()));
  }

  clear(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
    this.deadline = undefined;
  }
}
