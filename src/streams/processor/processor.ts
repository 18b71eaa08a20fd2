import type { Record } from './record.js';
import type { StateStore } from '../state/types.js';
import type { StreamsMetrics } from '../metrics.js';

/** Where the record being processed came from; absent for punctuation output. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/** Called with the time (stream or wall clock) at which it fires. */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

/**
 * What a processor sees of its task. `forward` returns a promise that
 * settles when every downstream processor has handled the record, so state
 * written downstream is in its store before the task commits.
 */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, as in Kafka Streams. */
  readonly taskId: string;
  forward<K extends KOut, V extends VOut>(record: Record<K, V>, childName?: string): Promise<void>;
  getStateStore<S extends StateStore>(name: string): S;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** Present while processing a consumed record; null inside a punctuator. */
  recordMetadata(): RecordMetadata | null;
  /** The task's stream time: the largest timestamp it has seen. */
  currentStreamTimeMs(): number;
  /** Wall-clock time from the injected Clock. */
  currentSystemTimeMs(): number;
  readonly metrics: StreamsMetrics;
  /** The name of the node this context belongs to (for metrics and errors). */
  readonly nodeName: string;
  /** Ask the runtime to commit soon (after this record). */
  commit(): void;
  /**
   * Runs `hook` at the start of every commit of this task, before its stores
   * flush and before its consumed offsets are taken. A processor that holds
   * work in memory (a micro-batch, decoded state) writes or forwards it
   * here, so the commit includes it: a commit never claims input whose
   * effect is still only in memory. An error fails the commit (the runtime
   * then restarts from the last one). Hooks run in registration order.
   */
  onCommit(hook: () => void | Promise<void>): Cancellable;
}

/**
 * A node of the topology. `init` runs once per task before any record,
 * `process` once per record, `close` when the task closes. Returning a
 * promise makes the task wait for it before the next record.
 */
export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void | Promise<void>;
  process(record: Record<KIn, VIn>): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Makes one fresh processor per task. */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;
