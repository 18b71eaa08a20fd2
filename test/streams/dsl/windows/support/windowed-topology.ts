import type { StreamsConfigInput } from '../../../../../src/streams/config.js';
import { Consumed } from '../../../../../src/streams/dsl/consumed.js';
import type { KTable } from '../../../../../src/streams/dsl/ktable.js';
import { Produced } from '../../../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../../../src/streams/dsl/streams-builder.js';
import type { SessionWindowedKStream, TimeWindowedKStream, Windowed } from '../../../../../src/streams/dsl/windows/index.js';
import { SessionWindows } from '../../../../../src/streams/dsl/windows/session-windows.js';
import type { SlidingWindows } from '../../../../../src/streams/dsl/windows/sliding-windows.js';
import type { TimeWindows } from '../../../../../src/streams/dsl/windows/time-windows.js';
import type { StreamsMetrics } from '../../../../../src/streams/metrics.js';
import type { Serde } from '../../../../../src/streams/serde/serde.js';
import { Serdes } from '../../../../../src/streams/serde/serdes.js';
import type { TopologyTestDriverOptions } from '../../../../../src/streams/testing/topology-test-driver.js';
import { openDriver } from '../../../testing/driver-fixture.js';

export const S = Serdes.String();
export const N = Serdes.Number();

/** Counts late drops per node, the way an application's metrics would. */
export function recordingMetrics(): StreamsMetrics & { lateDrops: string[] } {
  const lateDrops: string[] = [];
  return {
    lateDrops,
    lateRecordDropped: (taskId, nodeName) => {
      lateDrops.push(`${taskId}/${nodeName}`);
    },
    recordProcessed: () => {},
    recordSkipped: () => {},
  };
}

/** One output row of a windowed table: `[key, start, end, value, timestamp]`. */
export type Row = [string, number, number, number | null, number];

type Build<W> = W extends SessionWindows ? SessionWindowedKStream<string, number> : TimeWindowedKStream<string, number>;

/**
 * `in` (string → number) → groupByKey → windowedBy(windows) → `aggregate`
 * (→ optional `after`, e.g. suppress) → toStream → `out`, on a
 * TopologyTestDriver. Returns a pipe function and a reader of `out`.
 */
export function windowedTopology<W extends TimeWindows | SlidingWindows | SessionWindows>(
  windows: W,
  aggregate: (windowed: Build<W>) => KTable<Windowed<string>, number>,
  options: {
    after?: (table: KTable<Windowed<string>, number>) => KTable<Windowed<string>, number>;
    config?: Partial<StreamsConfigInput>;
    driver?: TopologyTestDriverOptions;
    keySerde?: Serde<Windowed<string>>;
  } = {},
) {
  const builder = new StreamsBuilder();
  const grouped = builder.stream('in', Consumed.with(S, N)).groupByKey();
  const windowed = (windows instanceof SessionWindows ? grouped.windowedBy(windows) : grouped.windowedBy(windows)) as Build<W>;
  const table = aggregate(windowed);
  const result = options.after ? options.after(table) : table;
  const keySerde = options.keySerde ?? (result.keySerde as Serde<Windowed<string>>);
  result.toStream().to('out', Produced.with(keySerde, N as Serde<number | null>));
  const metrics = recordingMetrics();
  const driver = openDriver(builder.build(), { metrics, defaultStoreType: 'memory', ...options.config }, options.driver);
  const input = driver.createInputTopic('in', S, N);
  const output = driver.createOutputTopic('out', keySerde, N);
  return {
    driver,
    metrics,
    pipe: (key: string, value: number, timestamp: number) => input.pipeInput(key, value, timestamp),
    rows: (): Row[] =>
      output.readRecordsToList().map((r) => [r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp]),
  };
}
