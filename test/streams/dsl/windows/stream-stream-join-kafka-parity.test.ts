import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { JoinWindows, StreamJoined } from '../../../../src/streams/dsl/windows/index.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';
import { openDriver } from '../../testing/driver-fixture.js';

const I = Serdes.Int32();
const S = Serdes.String();

/**
 * `topic1.leftJoin(topic2, (l, r) => l + "+" + r, windows)` as in Kafka
 * Streams' KStreamKStreamLeftJoinTest; `take()` returns and clears what the
 * join emitted, like its MockApiProcessor.checkAndClearProcessResult.
 */
function leftJoin(windows: JoinWindows) {
  const builder = new StreamsBuilder();
  const emitted: string[] = [];
  builder
    .stream('topic1', Consumed.with(I, S))
    .leftJoin(builder.stream('topic2', Consumed.with(I, S)), (l, r) => `${l}+${r ?? 'null'}`, windows, StreamJoined.with(I, S, S))
    .process(() => ({
      process: (record) => {
        emitted.push(`${record.key}:${record.value}@${record.timestamp}`);
      },
    }));
  const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
  const topic1 = driver.createInputTopic('topic1', I, S);
  const topic2 = driver.createInputTopic('topic2', I, S);
  return {
    left: (key: number, value: string, ts: number) => topic1.pipeInput(key, value, ts),
    right: (key: number, value: string, ts: number) => topic2.pipeInput(key, value, ts),
    take: () => emitted.splice(0),
  };
}

describe('left stream–stream join matches Kafka Streams (KStreamKStreamLeftJoinTest)', () => {
  it('testLeftJoinDuplicates', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    await t.left(0, 'A0', 0);
    await t.left(0, 'A0-0', 0);
    await t.right(1, 'a0', 111);
    await t.right(2, 'dummy', 500);
    expect(t.take()).toEqual(['0:A0+null@0', '0:A0-0+null@0']);
    await t.left(2, 'A2', 1000);
    await t.left(2, 'A2-0', 1000);
    await t.right(2, 'a2', 1001);
    expect(t.take()).toEqual(['2:A2+a2@1001', '2:A2-0+a2@1001']);
    await t.right(3, 'a3', 315);
    expect(t.take()).toEqual([]);
  });

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    await t.left(0, 'A0', 1);
    await t.left(1, 'A1', 2);
    await t.left(0, 'A0-0', 3);
    expect(t.take()).toEqual([]);
    await t.right(1, 'a1', 3);
    expect(t.take()).toEqual(['1:A1+a1@3']);
    await t.left(2, 'dummy', 401);
    expect(t.take()).toEqual(['0:A0+null@1', '0:A0-0+null@3']);
    await t.right(2, 'dummy', 401);
    expect(t.take()).toEqual(['2:dummy+dummy@401']);
  });

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheRightProcessor', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0));
    await t.left(0, 'A0', 1);
    await t.left(1, 'A1', 2);
    await t.left(0, 'A0-0', 3);
    expect(t.take()).toEqual([]);
    await t.right(1, 'a1', 3);
    expect(t.take()).toEqual(['1:A1+a1@3']);
    await t.right(2, 'dummy', 401);
    expect(t.take()).toEqual(['0:A0+null@1', '0:A0-0+null@3']);
    await t.left(2, 'dummy', 402);
    expect(t.take()).toEqual(['2:dummy+dummy@402']);
  });

  it('testGracePeriod', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    await t.left(0, 'A0', 0);
    await t.left(1, 'A1', 0);
    expect(t.take()).toEqual([]);
    for (const key of [0, 1, 2, 3]) await t.right(key, `a${key}`, 101);
    expect(t.take()).toEqual([]);
    await t.right(0, 'dummy', 1201);
    expect(t.take()).toEqual(['0:A0+null@0', '1:A1+null@0']);
  });

  it('shouldNotEmitLeftJoinResultForAsymmetricWindow', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0));
    await t.left(0, 'A0', 0);
    await t.left(1, 'A1', 1);
    expect(t.take()).toEqual([]);
    await t.right(0, 'a0', 100);
    expect(t.take()).toEqual(['0:A0+a0@100']);
    await t.right(1, 'a1', 102);
    expect(t.take()).toEqual(['1:A1+null@1']);
  });
});

/**
 * Held outer-join results that share a timestamp come out in the order of
 * Kafka Streams' outer-join store, keyed `[timestamp][side: right 0, left 1]
 * [key bytes]` (TimestampedKeyAndJoinSideSerializer): right side first, then
 * by the key's serialized bytes, so an Int32 key of -1 (0xffffffff) sorts
 * after the positive ones.
 */
describe('outer stream–stream join: the order of held results matches Kafka Streams’ store', () => {
  it('emits expired results of one timestamp right side first, then by key bytes', async () => {
    const builder = new StreamsBuilder();
    const emitted: string[] = [];
    builder
      .stream('topic1', Consumed.with(I, S))
      .outerJoin(builder.stream('topic2', Consumed.with(I, S)), (l, r) => `${l ?? 'null'}+${r ?? 'null'}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), StreamJoined.with(I, S, S))
      .process(() => ({
        process: (record) => {
          emitted.push(`${record.key}:${record.value}@${record.timestamp}`);
        },
      }));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    const left = driver.createInputTopic('topic1', I, S);
    const right = driver.createInputTopic('topic2', I, S);
    await left.pipeInput(2, 'L2', 0);
    await left.pipeInput(-1, 'Lm1', 0);
    await right.pipeInput(3, 'R3', 0);
    await left.pipeInput(1, 'L1', 0);
    await right.pipeInput(0, 'R0', 0);
    expect(emitted).toEqual([]);
    await left.pipeInput(9, 'L9', 1_000); // stream time moves past every window: all five expire
    expect(emitted).toEqual(['0:null+R0@0', '3:null+R3@0', '1:L1+null@0', '2:L2+null@0', '-1:Lm1+null@0']);
  });
});

describe('left stream–stream join: a record older than the retention (KStreamKStreamJoin.process has no late drop)', () => {
  it('emits a left record far behind stream time null-joined at once, and joins one with a partner the other side still holds', async () => {
    const t = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100));
    await t.right(0, 'a0', 780);
    await t.right(5, 'x', 950); // the right store keeps what is newer than 950 - 200 = 750
    await t.left(1, 'A1', 1_000); // stream time 1,000: the left side keeps only what is newer than 800
    expect(t.take()).toEqual([]);
    await t.left(2, 'late', 0); // its window [0, 100] ended long ago: no partner, emitted at once
    await t.left(0, 'late0', 790); // older than the left retention, yet a0 (780) is still held
    expect(t.take()).toEqual(['2:late+null@0', '0:late0+a0@790']);
  });
});
