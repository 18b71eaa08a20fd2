/**
 * Runs async jobs one at a time, in submission order. A StreamTask's calls
 * must not overlap; the fetch loop, the commit timer and rebalances all
 * submit here.
 */
export class SerialExecutor {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    // The chain continues whether or not this job failed; the caller sees the failure.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
