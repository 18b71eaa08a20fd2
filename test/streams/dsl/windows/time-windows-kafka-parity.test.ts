import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import type { KTable } from '../../../../src/streams/dsl/ktable.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { BufferConfig, Suppressed, TimeWindows } from '../../../../src/streams/dsl/windows/index.js';
import type { TimeWindowedKStream, Windowed } from '../../../../src/streams/dsl/windows/index.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';
import { openDriver } from '../../testing/driver-fixture.js';

const S = Serdes.String();

/**
 * Kafka Streams' TimeWindowedKStreamImplTest: tumbling 500 ms windows, no
 * grace, over its `processData` input, read as `key[start,end)=value@ts`.
 * `final` adds suppress(untilWindowCloses) (its ON_WINDOW_CLOSE variant).
 */
async function windowed<V>(aggregate: (w: TimeWindowedKStream<string, string>) => KTable<Windowed<string>, V>, final = false) {
  const builder = new StreamsBuilder();
  const emitted: string[] = [];
  const table = aggregate(builder.stream('topic', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(500)));
  (final ? table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())) : table).toStream().process(() => ({
    process: (r) => {
      emitted.push(`${r.key.key}[${r.key.window.start},${r.key.window.end})=${String(r.value)}@${r.timestamp}`);
    },
  }));
  const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
  const topic = driver.createInputTopic('topic', S, S);
  await topic.pipeInput('1', '1', 10);
  await topic.pipeInput('1', '2', 15);
  await topic.pipeInput('1', '3', 500);
  await topic.pipeInput('2', '10', 550);
  await topic.pipeInput('2', '20', 500);
  await topic.pipeInput('2', '30', 1000);
  return emitted;
}

describe('time windows match Kafka Streams (TimeWindowedKStreamImplTest)', () => {
  it('shouldCountWindowed: every update', async () => {
    expect(await windowed((w) => w.count())).toEqual([
      '1[0,500)=1@10',
      '1[0,500)=2@15',
      '1[500,1000)=1@500',
      '2[500,1000)=1@550',
      '2[500,1000)=2@550',
      '2[1000,1500)=1@1000',
    ]);
  });

  it('shouldCountWindowed: final results only', async () => {
    expect(await windowed((w) => w.count(), true)).toEqual(['1[0,500)=2@15', '1[500,1000)=1@500', '2[500,1000)=2@550']);
  });

  it('shouldReduceWindowed', async () => {
    expect(await windowed((w) => w.reduce((a, b) => `${a}+${b}`))).toEqual([
      '1[0,500)=1@10',
      '1[0,500)=1+2@15',
      '1[500,1000)=3@500',
      '2[500,1000)=10@550',
      '2[500,1000)=10+20@550',
      '2[1000,1500)=30@1000',
    ]);
  });
});
