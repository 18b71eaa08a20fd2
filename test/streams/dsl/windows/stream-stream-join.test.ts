import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { Produced } from '../../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { JoinWindows, StreamJoined } from '../../../../src/streams/dsl/windows/index.js';
import type { StreamJoinKind } from '../../../../src/streams/dsl/windows/index.js';
import { S, recordingMetrics } from './support/windowed-topology.js';
import type { TopologyTestDriverOptions } from '../../../../src/streams/testing/topology-test-driver.js';
import { openDriver } from '../../testing/driver-fixture.js';

/** `left.<kind>Join(right, (l, r) => `${l}+${r}`, windows)` → `out`, on the driver. */
function joinTopology(
  windows: JoinWindows,
  kind: StreamJoinKind = 'inner',
  storeType: 'memory' | 'leveldb' = 'memory',
  driverOptions: TopologyTestDriverOptions = {},
) {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', Consumed.with(S, S));
  const right = builder.stream('right', Consumed.with(S, S));
  const joiner = (l: string | null, r: string | null) => `${l ?? 'null'}+${r ?? 'null'}`;
  const joined = StreamJoined.with(S, S, S);
  const result =
    kind === 'inner'
      ? left.join(right, joiner, windows, joined)
      : kind === 'left'
        ? left.leftJoin(right, joiner, windows, joined)
        : left.outerJoin(right, joiner, windows, joined);
  result.to('out', Produced.with(S, S));
  const metrics = recordingMetrics();
  const driver = openDriver(builder.build(), { metrics, defaultStoreType: storeType }, driverOptions);
  const leftTopic = driver.createInputTopic('left', S, S);
  const rightTopic = driver.createInputTopic('right', S, S);
  const out = driver.createOutputTopic('out', S, S);
  return {
    driver,
    metrics,
    left: (key: string, value: string, ts: number) => leftTopic.pipeInput(key, value, ts),
    right: (key: string, value: string, ts: number) => rightTopic.pipeInput(key, value, ts),
    results: () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
  };
}

describe.each(['memory', 'leveldb'] as const)('KStream–KStream join on %s stores (through the TopologyTestDriver)', (storeType) => {
  it('joins records of the same key inside the window, stamped with the later timestamp', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceAndGrace(10, 20), 'inner', storeType);
    await t.left('A', 'l1', 100);
    await t.right('A', 'r1', 105);
    await t.right('A', 'r2', 90);
    expect(t.results()).toEqual([
      ['A', 'l1+r1', 105],
      ['A', 'l1+r2', 100],
    ]);
  });

  it('does not join records outside the window', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceAndGrace(10, 20), 'inner', storeType);
    await t.left('A', 'l1', 100);
    await t.right('A', 'r-after', 111);
    await t.right('A', 'r-before', 89);
    expect(t.results()).toEqual([]);
  });

  it('joins a later left record with every matching right record in its window', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'inner', storeType);
    await t.right('A', 'r1', 100);
    await t.right('A', 'r2', 100);
    await t.right('A', 'r3', 104);
    await t.left('A', 'l1', 108);
    expect(t.results()).toEqual([
      ['A', 'l1+r1', 108],
      ['A', 'l1+r2', 108],
      ['A', 'l1+r3', 108],
    ]);
  });

  it('joins a record older than the join retention with what the other side still holds, and does not keep it (Kafka Streams has no late drop here)', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'inner', storeType);
    await t.right('A', 'r1', 185);
    await t.left('B', 'l0', 200);
    await t.left('A', 'late', 180); // 200 - 20: older than the left store keeps
    await t.right('A', 'r2', 186); // would join `late` had it been kept
    expect(t.results()).toEqual([['A', 'late+r1', 185]]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('forgets records once they fall before + after + grace behind the newest record of their side', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'inner', storeType);
    await t.left('A', 'l1', 100);
    await t.left('B', 'l2', 119); // 100 is 19 behind: still kept
    await t.right('A', 'r1', 105);
    await t.left('B', 'l3', 120); // now 20 behind: dropped from the left store
    await t.right('A', 'r2', 108);
    expect(t.results()).toEqual([['A', 'l1+r1', 105]]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('left join emits the null result only after the window closes, and not at all once matched', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceAndGrace(10, 5), 'left', storeType);
    await t.left('A', 'l1', 100);
    await t.left('B', 'l2', 101);
    await t.right('B', 'r2', 106);
    await t.left('C', 'l3', 115);
    expect(t.results()).toEqual([['B', 'l2+r2', 106]]);
    await t.left('C', 'l4', 116); // 100 + 10 + 5 < 116
    expect(t.results()).toEqual([['A', 'l1+null', 100]]);
  });

  it('outer join emits unmatched records of both sides once their windows close', async () => {
    const t = joinTopology(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'outer', storeType);
    await t.right('A', 'r1', 100);
    await t.left('B', 'l1', 102);
    await t.left('C', 'l2', 200);
    expect(t.results()).toEqual([
      ['A', 'null+r1', 100],
      ['B', 'l1+null', 102],
    ]);
  });
});

describe('KStream–KStream left join across a restart', () => {
  it('still emits the null result of a record held before the restart, and only once', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-join-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const start = () =>
      joinTopology(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'left', 'leveldb', { stateDir, keepStateDir: true });
    const before = start();
    await before.left('A', 'l1', 100);
    await before.driver.close();
    expect(before.results()).toEqual([]);

    const after = start();
    await after.left('B', 'l2', 111);
    await after.left('C', 'l3', 200);
    expect(after.results()).toEqual([
      ['A', 'l1+null', 100],
      ['B', 'l2+null', 111],
    ]);
  });
});

describe('KStream–KStream join after a key change', () => {
  it('repartitions the re-keyed side and joins on the new key', async () => {
    const builder = new StreamsBuilder();
    const left = builder.stream('left', Consumed.with(S, S)).selectKey((_k, v) => v.split(':')[0]!);
    const right = builder.stream('right', Consumed.with(S, S));
    left
      .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10), StreamJoined.with(S, S, S))
      .to('out', Produced.with(S, S));
    const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
    await driver.createInputTopic('right', S, S).pipeInput('A', 'r1', 100);
    await driver.createInputTopic('left', S, S).pipeInput('ignored', 'A:l1', 103);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'A', value: 'A:l1+r1' }]);
  });
});
