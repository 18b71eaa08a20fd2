import type { Processor, ProcessorContext } from './processor.js';
import type { Record } from './record.js';

/** A Processor that keeps its context from `init` in `this.context` (Kafka Streams' ContextualProcessor). */
export abstract class ContextualProcessor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown>
  implements Processor<KIn, VIn, KOut, VOut>
{
  private ctx: ProcessorContext<KOut, VOut> | undefined;

  init(context: ProcessorContext<KOut, VOut>): void | Promise<void> {
    this.ctx = context;
  }

  /** The context given to `init`; throws if used before it. */
  protected get context(): ProcessorContext<KOut, VOut> {
    if (!this.ctx) throw new Error(`${this.constructor.name} used before init(); a subclass overriding init must call super.init(context)`);
    return this.ctx;
  }

  abstract process(record: Record<KIn, VIn>): void | Promise<void>;
}
