/**
 * How much a suppression buffer may hold. Only the unbounded buffer exists
 * for now: `untilWindowCloses` must never emit early, and a bounded buffer
 * would have to either emit early or stop the application when full.
 */
export class BufferConfig {
  private constructor(readonly kind: 'unbounded') {
    Object.freeze(this);
  }

  /** Keep every pending window in the buffer, however many there are. */
  static unbounded(): BufferConfig {
    return new BufferConfig('unbounded');
  }
}

/**
 * What `KTable.suppress` holds back (Kafka Streams' `Suppressed`). Only
 * {@link Suppressed.untilWindowCloses} is supported: for a windowed table it
 * emits exactly one final result per window, once stream time reaches
 * `window end + grace`.
 */
export class Suppressed {
  private constructor(
    readonly kind: 'untilWindowCloses',
    readonly bufferConfig: BufferConfig,
    /** Names the suppression node and its buffer store; generated when absent. */
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    return new Suppressed('untilWindowCloses', bufferConfig, undefined);
  }

  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.bufferConfig, name);
  }
}
