/**
 * The promise a synchronous delivery hands back. StreamTask returns this one
 * shared, already-resolved promise when every processor downstream finished
 * without waiting, so a caller can tell "done" from "in flight" by identity
 * and skip the microtask an `await` would cost on the per-record path.
 */
export const RESOLVED: Promise<void> = Promise.resolve();

/** Whether a processor's or forward's result still has work in flight (undefined and RESOLVED have none). */
export function isPending(result: void | Promise<void>): result is Promise<void> {
  return result !== undefined && result !== RESOLVED;
}
