import type { Processor, ProcessorContext } from '../../../../../src/streams/processor/processor.js';
import { Record } from '../../../../../src/streams/processor/record.js';
import type { StateStore } from '../../../../../src/streams/state/types.js';
import type { StreamsMetrics } from '../../../../../src/streams/metrics.js';

/**
 * Drives processors the way a task does, without the runtime: stream time
 * is the largest timestamp sent so far, updated before each record is
 * processed; forwarded records and metric calls are captured.
 */
export class FakeTask {
  streamTime = -1;
  readonly lateDrops: string[] = [];
  readonly skipped: string[] = [];
  private readonly stores = new Map<string, StateStore>();

  readonly metrics: StreamsMetrics = {
    lateRecordDropped: (taskId, nodeName) => {
      this.lateDrops.push(`${taskId}/${nodeName}`);
    },
    recordProcessed: () => {},
    recordSkipped: (_taskId, reason) => {
      this.skipped.push(reason);
    },
  };

  constructor(...stores: StateStore[]) {
    for (const store of stores) this.stores.set(store.name, store);
  }

  /** A context for one processor node; everything it forwards lands in `output`. */
  context<KOut, VOut>(
    nodeName: string,
    output: Record<KOut, VOut>[],
    downstream?: Processor<KOut, VOut>,
  ): ProcessorContext<KOut, VOut> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const task = this;
    return {
      applicationId: 'app',
      taskId: '0_0',
      nodeName,
      metrics: task.metrics,
      async forward(record) {
        output.push(record);
        await downstream?.process(record);
      },
      getStateStore<S extends StateStore>(name: string): S {
        const store = task.stores.get(name);
        if (store === undefined) throw new Error(`no store ${name}`);
        return store as S;
      },
      schedule() {
        throw new Error('not used by the processors under test');
      },
      recordMetadata: () => null,
      currentStreamTimeMs: () => task.streamTime,
      currentSystemTimeMs: () => 0,
      commit() {},
      onCommit() {
        throw new Error('not used by the processors under test');
      },
    };
  }

  /** Starts a processor on this task and returns a sender plus what it forwarded. */
  async start<KIn, VIn, KOut, VOut>(
    processor: Processor<KIn, VIn, KOut, VOut>,
    nodeName = 'NODE',
    downstream?: Processor<KOut, VOut>,
  ) {
    const output: Record<KOut, VOut>[] = [];
    await processor.init?.(this.context<KOut, VOut>(nodeName, output, downstream));
    const send = async (key: KIn, value: VIn, timestamp: number): Promise<void> => {
      this.streamTime = Math.max(this.streamTime, timestamp);
      await processor.process(new Record(key, value, timestamp));
    };
    return { output, send };
  }
}
