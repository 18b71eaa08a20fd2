import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import {
  BufferConfig,
  JoinWindows,
  SessionWindows,
  Suppressed,
  TimeWindows,
  type Windowed,
} from '../../../src/streams/dsl/windows/index.js';
import type { Serde } from '../../../src/streams/serde/serde.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();
const L = Serdes.Long();

/** The windowed key rendered as `key@start-end`, to keep assertions readable. */
const windowedKeyAsText: Serde<Windowed<string>> = {
  serialize: (_t, w) => (w === null ? null : Buffer.from(`${w.key}@${w.window.start}-${w.window.end}`)),
  deserialize: () => {
    throw new Error('write-only in this test');
  },
};

describe('DSL entry points into windowed operations', () => {
  it('groupByKey().windowedBy(TimeWindows).count() counts per tumbling window, and suppress emits once per closed window', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(windowedKeyAsText, L));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 1);
    await input.pipeInput('a', 'x', 5);
    await input.pipeInput('a', 'x', 12); // closes [0,10)
    await input.pipeInput('a', 'x', 25); // closes [10,20)
    const out = driver.createOutputTopic('out', S, L).readKeyValuesToList();
    expect(out).toEqual([
      { key: 'a@0-10', value: 2 },
      { key: 'a@10-20', value: 1 },
    ]);
  });

  it('windowedBy(SessionWindows) yields a session-windowed stream', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count()
      .toStream()
      .to('out', Produced.with(windowedKeyAsText, L));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', 'x', 0);
    await input.pipeInput('a', 'x', 3);
    const last = driver.createOutputTopic('out', S, L).readKeyValuesToList().at(-1);
    expect(last).toEqual({ key: 'a@0-3', value: 2 });
  });

  it('KStream.join(otherStream, joiner, JoinWindows) joins records within the time difference only', async () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(S, S));
    const right = builder.stream('right', Consumed.with(S, S));
    left.join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    await driver.createInputTopic('left', S, S).pipeInput('k', 'L1', 100);
    const r = driver.createInputTopic('right', S, S);
    await r.pipeInput('k', 'R1', 105); // within 10 ms
    await r.pipeInput('k', 'R2', 111); // 11 ms away
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['L1+R1']);
  });
});
