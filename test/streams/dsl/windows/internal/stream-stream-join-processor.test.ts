import { describe, expect, it } from 'vitest';
import { JoinWindows } from '../../../../../src/streams/dsl/windows/join-windows.js';
import { OuterJoinBuffers } from '../../../../../src/streams/dsl/windows/internal/outer-join-buffer.js';
import { StreamStreamJoinProcessor } from '../../../../../src/streams/dsl/windows/internal/stream-stream-join-processor.js';
import { Record } from '../../../../../src/streams/processor/record.js';
import { FakeTask } from '../support/fake-context.js';
import { FakeWindowStore } from '../support/fake-stores.js';

type Kind = 'inner' | 'left' | 'outer';

/** Both sides of `left.join(right, (l, r) => `${l}+${r}`, windows)` on one fake task. */
async function joined(windows: JoinWindows, kind: Kind = 'inner') {
  const task = new FakeTask(new FakeWindowStore('left-store', true), new FakeWindowStore('right-store', true));
  const shared = new OuterJoinBuffers();
  const holdsUnmatched = kind !== 'inner';
  const show = (v: string | null) => v ?? 'null';
  const unjoined = (held: { side: string; value: unknown }) =>
    held.side === 'left' ? `${String(held.value)}+null` : `null+${String(held.value)}`;
  const output: Record<string, string>[] = [];
  const left = new StreamStreamJoinProcessor<string, string, string, string>({
    side: 'left',
    thisStoreName: 'left-store',
    otherStoreName: 'right-store',
    windows,
    joiner: (_k, l, r) => `${l}+${show(r)}`,
    outer: kind !== 'inner',
    holdsUnmatched,
    shared,
    unjoined,
  });
  const right = new StreamStreamJoinProcessor<string, string, string, string>({
    side: 'right',
    thisStoreName: 'right-store',
    otherStoreName: 'left-store',
    windows,
    joiner: (_k, r, l) => `${show(l)}+${r}`,
    outer: kind === 'outer',
    holdsUnmatched,
    shared,
    unjoined,
  });
  await left.init(task.context('KSTREAM-JOINTHIS-0000000004', output));
  await right.init(task.context('KSTREAM-JOINOTHER-0000000005', output));
  const send = (processor: typeof left) => async (key: string, value: string, timestamp: number) => {
    task.streamTime = Math.max(task.streamTime, timestamp);
    await processor.process(new Record(key, value, timestamp));
  };
  const results = () => output.map((r) => [r.key, r.value, r.timestamp]);
  return { task, sendLeft: send(left), sendRight: send(right), results };
}

describe('StreamStreamJoinProcessor', () => {
  it('joins a right record that arrives inside the window after the left one, stamped with the later time', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await sendLeft('A', 'l1', 100);
    await sendRight('A', 'r1', 105);
    expect(results()).toEqual([['A', 'l1+r1', 105]]);
  });

  it('joins a left record that arrives after a right one in its window', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceAndGrace(10, 10));
    await sendRight('A', 'r1', 100);
    await sendLeft('A', 'l1', 95);
    expect(results()).toEqual([['A', 'l1+r1', 100]]);
  });

  it('includes both window bounds: records exactly the difference apart join', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    await sendLeft('A', 'l1', 100);
    await sendRight('A', 'r1', 110);
    await sendRight('A', 'r0', 90);
    expect(results()).toEqual([
      ['A', 'l1+r1', 110],
      ['A', 'l1+r0', 100],
    ]);
  });

  it('does not join records further apart than the window, nor records of other keys', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await sendLeft('A', 'l1', 100);
    await sendRight('A', 'r1', 111);
    await sendRight('B', 'r2', 105);
    expect(results()).toEqual([]);
  });

  it('joins every duplicate of the other side', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await sendRight('A', 'r1', 100);
    await sendRight('A', 'r2', 100);
    await sendLeft('A', 'l1', 101);
    expect(results()).toEqual([
      ['A', 'l1+r1', 101],
      ['A', 'l1+r2', 101],
    ]);
  });

  it('honours asymmetric windows: before bounds the right records earlier than the left one', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceAndGrace(0, 50).before(5).after(20));
    await sendLeft('A', 'l1', 100);
    await sendRight('A', 'early-ok', 95);
    await sendRight('A', 'early-out', 94);
    await sendRight('A', 'late-ok', 120);
    await sendRight('A', 'late-out', 121);
    expect(results()).toEqual([
      ['A', 'l1+early-ok', 100],
      ['A', 'l1+late-ok', 120],
    ]);
  });

  it('joins a record older than the join retention (before + after + grace) instead of dropping it, as Kafka Streams does', async () => {
    const { sendLeft, sendRight, results, task } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await sendRight('A', 'r1', 185);
    await sendLeft('B', 'l0', 200);
    await sendLeft('A', 'late', 180); // 200 - 20
    await sendLeft('A', 'l1', 181);
    expect(results()).toEqual([
      ['A', 'late+r1', 185],
      ['A', 'l1+r1', 185],
    ]);
    expect(task.lateDrops).toEqual([]);
  });

  describe('left join', () => {
    it('emits the unmatched left record with null once its window and grace have passed, not before', async () => {
      const { sendLeft, results } = await joined(JoinWindows.ofTimeDifferenceAndGrace(10, 5), 'left');
      await sendLeft('A', 'l1', 100);
      await sendLeft('B', 'l2', 115); // 100 + 10 + 5: not yet past
      expect(results()).toEqual([]);
      await sendLeft('B', 'l3', 116);
      expect(results()).toEqual([['A', 'l1+null', 100]]);
    });

    it('never emits the null result for a left record that found a partner later', async () => {
      const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'left');
      await sendLeft('A', 'l1', 100);
      await sendRight('A', 'r1', 108);
      await sendLeft('B', 'l2', 200);
      await sendLeft('B', 'l3', 300);
      expect(results()).toEqual([
        ['A', 'l1+r1', 108],
        ['B', 'l2+null', 200],
      ]);
    });

    it('emits an out-of-order unmatched left record at once when its window is already behind stream time', async () => {
      const { sendLeft, results } = await joined(JoinWindows.ofTimeDifferenceAndGrace(10, 100), 'left');
      await sendLeft('B', 'l0', 200);
      await sendLeft('A', 'l1', 150);
      expect(results()).toEqual([['A', 'l1+null', 150]]);
    });

    it('does not emit unmatched right records', async () => {
      const { sendRight, sendLeft, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'left');
      await sendRight('A', 'r1', 100);
      await sendLeft('B', 'l1', 200);
      await sendLeft('B', 'l2', 300);
      expect(results()).toEqual([['B', 'l1+null', 200]]);
    });
  });

  it('skips records with a null key or value in an inner join, without counting them as late', async () => {
    const { sendLeft, results, task } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10));
    await sendLeft(null as unknown as string, 'l1', 100);
    await sendLeft('A', null as unknown as string, 100);
    expect(results()).toEqual([]);
    expect(task.skipped).toHaveLength(2);
    expect(task.lateDrops).toEqual([]);
  });

  it('emits a left record without a key null-joined at once in a left join (KIP-962)', async () => {
    const { sendLeft, sendRight, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'left');
    await sendLeft(null as unknown as string, 'l1', 100);
    await sendRight(null as unknown as string, 'r1', 100);
    expect(results()).toEqual([[null, 'l1+null', 100]]);
  });

  describe('outer join', () => {
    it('emits unmatched records of both sides with null once their windows close, in time order', async () => {
      const { sendRight, sendLeft, results } = await joined(JoinWindows.ofTimeDifferenceWithNoGrace(10), 'outer');
      await sendRight('A', 'r1', 100);
      await sendLeft('B', 'l1', 101);
      await sendLeft('C', 'l2', 200);
      expect(results()).toEqual([
        ['A', 'null+r1', 100],
        ['B', 'l1+null', 101],
      ]);
    });
  });
});
