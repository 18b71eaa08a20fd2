import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import type { KStream } from '../../../src/streams/dsl/kstream.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { JoinWindows } from '../../../src/streams/dsl/windows/index.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

const S = Serdes.String();
const WINDOW = JoinWindows.ofTimeDifferenceAndGrace(60_000, 10_000);
const JOINER = (l: string | null, r: string | null) => `${l}|${r}`;

/**
 * Kafka Streams' RelaxedNullKeyRequirementJoinTest (KIP-962, Kafka 3.7):
 * both inputs go through `repartition()`; a null-key record survives the
 * repartition only when a join that keeps null keys (left or outer) lies
 * downstream, and that join emits it joined with null.
 */
async function run(topology: (left: KStream<string, string>, right: KStream<string, string>, builder: StreamsBuilder) => KStream<string, string>) {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', Consumed.with(S, S)).repartition();
  const right = builder.stream('right', Consumed.with(S, S)).repartition();
  const out: Array<[string | null, string]> = [];
  topology(left, right, builder).process(() => ({
    process: (r) => {
      out.push([r.key ?? null, r.value]);
    },
  }));
  const driver = openDriver(builder.build(), { defaultStoreType: 'memory' });
  const l = driver.createInputTopic('left', S, S);
  const r = driver.createInputTopic('right', S, S);
  return {
    left: (key: string | null, value: string, ts = 1) => l.pipeInput(key as string, value, ts),
    right: (key: string | null, value: string, ts = 1) => r.pipeInput(key as string, value, ts),
    out,
  };
}

describe('null keys match Kafka Streams (RelaxedNullKeyRequirementJoinTest, KIP-962)', () => {
  it('testRelaxedLeftStreamStreamJoin', async () => {
    const t = await run((left, right) => left.leftJoin(right, JOINER, WINDOW));
    await t.left(null, 'leftValue');
    expect(t.out).toEqual([[null, 'leftValue|null']]);
  });

  it('testRelaxedLeftStreamTableJoin', async () => {
    const t = await run((left, right) => left.leftJoin(right.toTable(), JOINER));
    await t.left(null, 'leftValue');
    expect(t.out).toEqual([[null, 'leftValue|null']]);
  });

  it('testRelaxedOuterStreamStreamJoin', async () => {
    const t = await run((left, right) => left.outerJoin(right, JOINER, WINDOW));
    await t.right(null, 'rightValue');
    await t.left(null, 'leftValue');
    expect(t.out).toEqual([
      [null, 'null|rightValue'],
      [null, 'leftValue|null'],
    ]);
  });

  it('testRelaxedLeftStreamGlobalTableJoin', async () => {
    const t = await run((left, _right, builder) => left.leftJoin(builder.globalTable('global', Consumed.with(S, S)), () => null as unknown as string, JOINER));
    await t.left(null, 'leftValue');
    expect(t.out).toEqual([[null, 'leftValue|null']]);
  });

  it('testDropNullKeyRecordsForRepartitionNodesWithNoRelaxedJoinDownstream', async () => {
    const t = await run((left) => left.repartition());
    await t.left(null, 'leftValue');
    expect(t.out).toEqual([]);
  });

  // Not in Kafka's test: the same rule through an inner join, and through a second repartition.
  it('drops the null key before an inner join, and keeps it through a later repartition that feeds a left join', async () => {
    const inner = await run((left, right) => left.join(right.toTable(), JOINER));
    await inner.left(null, 'leftValue');
    expect(inner.out).toEqual([]);
    const twice = await run((left, right) => left.repartition().mapValues((v) => v.toUpperCase()).leftJoin(right.toTable(), JOINER));
    await twice.left(null, 'leftValue');
    expect(twice.out).toEqual([[null, 'LEFTVALUE|null']]);
  });
});
