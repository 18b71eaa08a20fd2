import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Record, Serdes, TopologyTestDriver } from '../../../src/streams/index.js';
import type { ProcessorContext, Punctuator } from '../../../src/streams/index.js';
import type { FeaturedTransaction } from '../../../src/fraud/features/card-processor.js';
import { microBatchOptions } from '../../../src/fraud/model/micro-batch.js';
import { ScoringProcessor } from '../../../src/fraud/model/scoring-processor.js';
import type { ScoredTransaction } from '../../../src/fraud/model/scoring-processor.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { MIN, T0, tx } from '../features/builders.js';
import { fakeMetadata, ruleScorer, serdes } from '../topology/harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A ScoringProcessor on a context that records what it forwards and hands back its punctuator and commit hook. */
function scoring(scores: (rows: ReadonlyArray<readonly number[]>) => Promise<number[]>, maxBatchSize = 4) {
  const batches: number[] = [];
  const forwarded: Array<Record<string, ScoredTransaction>> = [];
  let punctuate: Punctuator = () => {};
  let commit: () => void | Promise<void> = () => {};
  const context = {
    forward: async (r: Record<string, ScoredTransaction>) => void forwarded.push(r),
    schedule: (_ms: number, _type: string, p: Punctuator) => {
      punctuate = p;
      return { cancel: () => {} };
    },
    onCommit: (hook: () => void | Promise<void>) => {
      commit = hook;
      return { cancel: () => {} };
    },
  } as unknown as ProcessorContext<string, ScoredTransaction>;
  const processor = new ScoringProcessor(
    {
      metadata: fakeMetadata(),
      score: (rows) => {
        batches.push(rows.length);
        return scores(rows);
      },
      close: async () => {},
    },
    { maxBatchSize, maxDelayMs: 20 },
  );
  processor.init(context);
  const feed = async (n: number, from = 0) => {
    for (let i = from; i < from + n; i++) {
      const value: FeaturedTransaction = { transaction: tx({ transaction_id: `t-${i}` }), features: [i], source: null };
      await processor.process(new Record(`c-${i}`, value, T0 + i));
    }
  };
  return { batches, forwarded, feed, punctuate: () => punctuate(0), commit: () => commit() };
}

describe('ScoringProcessor', () => {
  it('scores full batches at once, the rest on the wall-clock deadline, in input order', async () => {
    const s = scoring(async (rows) => rows.map((r) => (r[0] as number) / 10));
    await s.feed(6);
    expect(s.batches).toEqual([4]);
    expect(s.forwarded.map((r) => r.value.transaction.transaction_id)).toEqual(['t-0', 't-1', 't-2', 't-3']);
    await s.punctuate();
    expect(s.batches).toEqual([4, 2]);
    expect(s.forwarded.map((r) => r.value.score)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    // The same features array goes on (the decision step asks the scorer which model scored it).
    expect(s.forwarded.map((r) => r.value.features[0])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('scores what waits when the task commits, so a commit never claims an unscored transaction; an empty commit calls no model', async () => {
    const s = scoring(async (rows) => rows.map(() => 0.5));
    await s.feed(3);
    expect(s.forwarded).toHaveLength(0);
    await s.commit();
    expect([s.batches, s.forwarded.length]).toEqual([[3], 3]);
    await s.commit();
    expect(s.batches).toEqual([3]);
  });

  it('keeps a batch whose scoring failed, and scores it at the next flush', async () => {
    let fail = true;
    const s = scoring(async (rows) => {
      if (fail) throw new Error('model down');
      return rows.map(() => 0.5);
    });
    await s.feed(2);
    await expect(s.commit()).rejects.toThrow('model down');
    expect(s.forwarded).toHaveLength(0);
    fail = false;
    await s.commit();
    expect(s.forwarded.map((r) => r.value.transaction.transaction_id)).toEqual(['t-0', 't-1']);
  });

  it('on the driver, which commits after every record, every transaction is scored before pipeInput returns; a restart has nothing left to score', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-scoring-'));
    dirs.push(stateDir);
    const open = (scorer: ReturnType<typeof ruleScorer>) =>
      new TopologyTestDriver(buildFraudTopology({ serdes, storeType: 'leveldb', scoring: { scorer, batch: { maxBatchSize: 100, maxDelayMs: 1_000 } } }), fraudStreamsConfig({ applicationId: 'fraud-restart' }), {
        stateDir,
        keepStateDir: true,
        initialWallClockTimeMs: T0 + 24 * 3_600_000,
      });
    const first = ruleScorer();
    const before = open(first);
    const input = before.createInputTopic('transactions', Serdes.String(), serdes.transaction);
    const alerts = before.createOutputTopic('alerts', Serdes.String(), serdes.alert);
    for (let i = 0; i < 6; i++) await input.pipeInput('c-1', tx({ event_time_ms: T0 + i * MIN, merchant_id: `m-${i}` }), T0 + i * MIN);
    expect((alerts.readValuesToList() as Alert[]).map((a) => a.source?.offset)).toEqual([4, 5]);
    await before.close();

    const second = ruleScorer();
    const after = open(second);
    await after.ready();
    await after.advanceWallClockTime(1_000);
    expect(second.batches).toEqual([]);
    await after.close();
  });

  it('validates its batch options', () => {
    expect(microBatchOptions({})).toEqual({ maxBatchSize: 64, maxDelayMs: 20 });
    expect(() => microBatchOptions({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => microBatchOptions({ maxDelayMs: 1.5 })).toThrow(/maxDelayMs/);
  });
});
