import { describe, expect, it } from 'vitest';
import type { KafkaProducer, KafkaTransaction, ProducedRecord, TopicPartitionOffset } from '../../../src/streams/kafka/index.js';
import { noopLogger } from '../../../src/streams/runtime/logger.js';
import type { ProductionExceptionHandler } from '../../../src/streams/runtime/options.js';
import { RecordCollector, trackEnds } from '../../../src/streams/runtime/record-collector.js';

describe('trackEnds (changelog positions from produce results)', () => {
  it('moves each explicitly partitioned topic-partition past the records one request wrote there', () => {
    const ends = new Map<string, bigint>();
    const sent = [
      { topic: 'cl', partition: 0, key: 'a', value: '1' },
      { topic: 'cl', partition: 0, key: 'b', value: '2' },
      { topic: 'cl', partition: 1, key: 'c', value: '3' },
      { topic: 'out', key: 'a', value: 'x' },
    ];
    trackEnds(
      sent,
      [
        { topic: 'cl', partition: 0, baseOffset: '40', logAppendTime: -1 },
        { topic: 'cl', partition: 1, baseOffset: '7', logAppendTime: -1 },
        { topic: 'out', partition: 3, baseOffset: '100', logAppendTime: -1 },
      ],
      ends,
    );
    expect(ends).toEqual(new Map([['cl:0', 42n], ['cl:1', 8n]]));
  });

  it('keeps the furthest end across requests and ignores unknown base offsets', () => {
    const ends = new Map<string, bigint>([['cl:0', 50n]]);
    trackEnds([{ topic: 'cl', partition: 0, key: 'a', value: '1' }], [{ topic: 'cl', partition: 0, baseOffset: '-1', logAppendTime: -1 }], ends);
    trackEnds([{ topic: 'cl', partition: 0, key: 'a', value: '1' }], [{ topic: 'cl', partition: 0, baseOffset: '60', logAppendTime: -1 }], ends);
    expect(ends.get('cl:0')).toBe(61n);
  });
});

/** A fake producer recording transactions and plain sends; records to the topic "rejected" fail. */
function fakeProducer() {
  const sent: ProducedRecord[] = [];
  const transactions: Array<{ records: ProducedRecord[]; offsets: TopicPartitionOffset[]; outcome: 'open' | 'commit' | 'abort' }> = [];
  const reject = (records: ProducedRecord[]) => {
    if (records.some((r) => r.topic === 'rejected')) throw new Error('MESSAGE_TOO_LARGE');
  };
  const producer: KafkaProducer = {
    send: async (records) => {
      reject(records);
      sent.push(...records);
      return records.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: '10', logAppendTime: -1 }));
    },
    transaction: async () => {
      const tx = { records: [] as ProducedRecord[], offsets: [] as TopicPartitionOffset[], outcome: 'open' as 'open' | 'commit' | 'abort' };
      transactions.push(tx);
      const handle: KafkaTransaction = {
        send: async (records) => {
          reject(records);
          tx.records.push(...records);
          return records.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: '20', logAppendTime: -1 }));
        },
        sendOffsets: async (_group, offsets) => void tx.offsets.push(...offsets),
        commit: async () => void (tx.outcome = 'commit'),
        abort: async () => void (tx.outcome = 'abort'),
      };
      return handle;
    },
    close: async () => {},
  };
  return { producer, sent, transactions };
}

function collector(exactlyOnce: boolean, handler: ProductionExceptionHandler = () => 'FAIL', eagerSends = false, partitionCount: (topic: string) => Promise<number> = async () => 4) {
  const fake = fakeProducer();
  const committedOffsets: TopicPartitionOffset[][] = [];
  const c = new RecordCollector({
    producer: fake.producer,
    admin: { partitionCount },
    exactlyOnce,
    eagerSends,
    applicationId: 'app',
    productionExceptionHandler: handler,
    commitOffsets: async (o) => void committedOffsets.push(o),
    logger: noopLogger,
  });
  return { c, ...fake, committedOffsets };
}

const out = (value: string, topic = 'out', partition?: number) => ({ topic, key: null, value: Buffer.from(value), timestamp: 1, headers: new Map(), ...(partition !== undefined ? { partition } : {}) });
const offsets = [{ topic: 'in', partition: 0, offset: '5' }];

describe('RecordCollector', () => {
  it('exactly-once: writes every task’s output and the offsets in one committed transaction, then holds nothing', async () => {
    const { c, transactions } = collector(true);
    c.send('0_0', out('a'));
    c.send('0_1', out('b'));
    c.send('0_0', out('c'));
    const result = await c.commit(offsets);
    expect(result.committed).toBe(true);
    expect(transactions.map((t) => [t.outcome, t.records.map((r) => String(r.value)), t.offsets])).toEqual([['commit', ['a', 'c', 'b'], offsets]]);
    expect(c.buffered).toBe(0);
  });

  it('exactly-once: aborts when abortIf answers true once the records are sent, and keeps them for the next commit', async () => {
    const { c, transactions } = collector(true);
    c.send('0_0', out('a'));
    expect((await c.commit(offsets, () => true)).committed).toBe(false);
    expect(c.buffered).toBe(1);
    await c.commit(offsets);
    expect(transactions.map((t) => [t.outcome, t.records.length, t.offsets.length])).toEqual([
      ['abort', 1, 0],
      ['commit', 1, 1],
    ]);
  });

  it('exactly-once: a rejected record aborts the transaction with VIGIL_ERR_PRODUCTION whatever the handler says', async () => {
    const { c, transactions } = collector(true, () => 'CONTINUE');
    c.send('0_0', out('x', 'rejected'));
    await expect(c.commit(offsets)).rejects.toMatchObject({ code: 'VIGIL_ERR_PRODUCTION' });
    expect(transactions.map((t) => t.outcome)).toEqual(['abort']);
  });

  it('at-least-once: sends, then commits the offsets through the consumer; a record the handler lets go is skipped', async () => {
    const { c, sent, committedOffsets } = collector(false, () => 'CONTINUE');
    c.send('0_0', out('a'));
    c.send('0_0', out('x', 'rejected'));
    c.send('0_0', out('b'));
    await c.commit(offsets);
    expect(sent.map((r) => String(r.value))).toEqual(['a', 'b']);
    expect(committedOffsets).toEqual([offsets]);
  });

  it('at-least-once: FAIL from the handler throws VIGIL_ERR_PRODUCTION and commits no offsets', async () => {
    const { c, committedOffsets } = collector(false);
    c.send('0_0', out('x', 'rejected'));
    await expect(c.commit(offsets)).rejects.toMatchObject({ code: 'VIGIL_ERR_PRODUCTION' });
    expect(committedOffsets).toEqual([]);
  });

  it('discards one task’s output and nothing else', async () => {
    const { c, transactions } = collector(true);
    c.send('0_0', out('a'));
    c.send('0_1', out('b'));
    await c.discard('0_0');
    expect([c.hasPending('0_0'), c.hasPending('0_1'), c.buffered]).toEqual([false, true, 1]);
    await c.commit([]);
    expect(transactions[0]?.records.map((r) => String(r.value))).toEqual(['b']);
  });

  it('remembers the end of its committed writes per partition, for restoration', async () => {
    const { c } = collector(true);
    c.send('0_0', out('a', 'app-counts-changelog', 2));
    c.send('0_0', out('b', 'app-counts-changelog', 2));
    await c.commit([]);
    expect(c.writtenEnd('app-counts-changelog', 2)).toBe(22n);
    expect(c.writtenEnd('app-counts-changelog', 1)).toBeUndefined();
  });

  it("asks a sink's partitioner with the topic's partition count", async () => {
    const { c, transactions } = collector(true);
    c.send('0_0', { ...out('a'), choosePartition: (n: number) => n - 1 });
    await c.commit([]);
    expect(transactions[0]?.records[0]?.partition).toBe(3);
  });
});

/** Lets the chained hand-off sends run. */
const settle = () => new Promise<void>((r) => setImmediate(r));
const values = (records: readonly ProducedRecord[]) => records.map((r) => String(r.value));

describe('RecordCollector with eager sends', () => {
  it('exactly-once: hands records to the open transaction before the commit, which sends the rest, the offsets and commits once', async () => {
    const { c, transactions } = collector(true, undefined, true);
    c.send('0_0', out('a'));
    c.send('0_1', out('b'));
    c.handOff();
    await settle();
    expect(transactions.map((t) => [t.outcome, values(t.records)])).toEqual([['open', ['a', 'b']]]);
    expect([c.buffered, c.unsent]).toEqual([2, 0]);
    c.send('0_0', out('c'));
    expect(c.unsent).toBe(1);
    expect((await c.commit(offsets)).records).toBe(3);
    expect(transactions.map((t) => [t.outcome, values(t.records), t.offsets])).toEqual([['commit', ['a', 'b', 'c'], offsets]]);
    expect([c.buffered, c.unsent]).toEqual([0, 0]);
  });

  it('without eagerSends, handOff sends nothing', async () => {
    const { c, transactions } = collector(true);
    c.send('0_0', out('a'));
    c.handOff();
    await settle();
    expect(transactions).toEqual([]);
    expect(c.unsent).toBe(1);
  });

  it('exactly-once: discarding a task whose records are in the open transaction aborts it; the other tasks’ records go into the next', async () => {
    const { c, transactions } = collector(true, undefined, true);
    c.send('0_0', out('a'));
    c.send('0_1', out('b'));
    c.handOff();
    c.send('0_1', out('c'));
    await c.discard('0_0');
    expect(transactions.map((t) => [t.outcome, values(t.records)])).toEqual([['abort', ['a', 'b']]]);
    expect([c.buffered, c.unsent, c.hasPending('0_0')]).toEqual([2, 2, false]);
    await c.commit(offsets);
    expect(transactions.map((t) => [t.outcome, values(t.records)])).toEqual([
      ['abort', ['a', 'b']],
      ['commit', ['b', 'c']],
    ]);
  });

  it('exactly-once: discarding a task with nothing handed off leaves the open transaction alone', async () => {
    const { c, transactions } = collector(true, undefined, true);
    c.send('0_1', out('b'));
    c.handOff();
    c.send('0_0', out('a'));
    await c.discard('0_0');
    await c.commit(offsets);
    expect(transactions.map((t) => [t.outcome, values(t.records)])).toEqual([['commit', ['b']]]);
  });

  it('exactly-once: a hand-off the producer refuses fails the commit with VIGIL_ERR_PRODUCTION, aborts, and sends nothing after it', async () => {
    const { c, transactions } = collector(true, () => 'CONTINUE', true);
    c.send('0_0', out('x', 'rejected'));
    c.handOff();
    c.send('0_0', out('a'));
    c.handOff();
    await expect(c.commit(offsets)).rejects.toMatchObject({ code: 'VIGIL_ERR_PRODUCTION' });
    expect(transactions.map((t) => [t.outcome, values(t.records), t.offsets.length])).toEqual([['abort', [], 0]]);
    expect(c.buffered).toBe(2); // given back for the caller to retry or discard
  });

  it.each([
    ['abortOpenTransaction()', async (c: RecordCollector) => void (await c.abortOpenTransaction())],
    ['a commit whose abortIf answers true', async (c: RecordCollector) => expect((await c.commit(offsets, () => true)).committed).toBe(false)],
  ])('exactly-once: %s aborts what was handed off and keeps it; the next commit sends it again', async (_how, abort) => {
    const { c, transactions } = collector(true, undefined, true);
    await c.abortOpenTransaction(); // nothing open yet: nothing to abort
    c.send('0_0', out('a'));
    c.handOff();
    await abort(c);
    expect([c.buffered, c.unsent]).toEqual([1, 1]);
    await c.commit(offsets);
    expect(transactions.map((t) => [t.outcome, values(t.records)])).toEqual([
      ['abort', ['a']],
      ['commit', ['a']],
    ]);
  });

  it('at-least-once: hands records to the producer at once; the commit then commits only the offsets, and a FAIL verdict on a hand-off fails it', async () => {
    const ok = collector(false, undefined, true);
    ok.c.send('0_0', out('a'));
    ok.c.handOff();
    await settle();
    expect(values(ok.sent)).toEqual(['a']);
    await ok.c.commit(offsets);
    expect([values(ok.sent), ok.committedOffsets]).toEqual([['a'], [offsets]]);

    const failing = collector(false, () => 'FAIL', true);
    failing.c.send('0_0', out('x', 'rejected'));
    failing.c.handOff();
    await expect(failing.c.commit(offsets)).rejects.toMatchObject({ code: 'VIGIL_ERR_PRODUCTION' });
    expect(failing.committedOffsets).toEqual([]);
  });

  it('holds back a task’s records from a sink whose partition count is not known yet, keeping the task’s order', async () => {
    let release: (n: number) => void = () => {};
    const count = new Promise<number>((r) => (release = r));
    const { c, transactions } = collector(true, undefined, true, () => count);
    c.send('0_0', out('a'));
    c.send('0_0', { ...out('b', 'keyed'), choosePartition: (n: number) => n - 1 });
    c.send('0_0', out('c'));
    c.handOff();
    await settle();
    expect([values(transactions[0]?.records ?? []), c.unsent]).toEqual([['a'], 2]);
    release(4);
    await c.commit([]);
    expect(transactions.map((t) => [t.outcome, values(t.records), t.records[1]?.partition])).toEqual([['commit', ['a', 'b', 'c'], 3]]);
  });

  it('remembers the ends of handed-off changelog writes only once they are committed', async () => {
    const { c } = collector(true, undefined, true);
    c.send('0_0', out('a', 'app-counts-changelog', 2));
    c.handOff();
    await settle();
    expect(c.writtenEnd('app-counts-changelog', 2)).toBeUndefined();
    await c.commit([]);
    expect(c.writtenEnd('app-counts-changelog', 2)).toBe(21n);
  });
});
