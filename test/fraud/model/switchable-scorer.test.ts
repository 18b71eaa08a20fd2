import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/fraud/model/errors.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import { SwitchableScorer } from '../../../src/fraud/model/switchable-scorer.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { MIN, T0, tx } from '../features/builders.js';
import { fakeMetadata, fraudHarness } from '../topology/harness.js';

/** A model that gives every row `score`; `gate` holds its calls until released. */
function model(version: string, score: number, extra: Partial<Parameters<typeof fakeMetadata>[0]> = {}) {
  let release: (() => void) | undefined;
  const m = {
    metadata: fakeMetadata({ version, ...extra }),
    calls: 0,
    closed: false,
    gate: undefined as Promise<void> | undefined,
    hold() {
      m.gate = new Promise<void>((r) => (release = r));
    },
    release: () => release?.(),
    async score(rows: ReadonlyArray<readonly number[]>) {
      m.calls++;
      if (m.gate) await m.gate;
      return rows.map(() => score);
    },
    async close() {
      m.closed = true;
    },
  };
  return m satisfies Scorer;
}

const code = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof ModelError ? e.code : String(e)));

describe('SwitchableScorer', () => {
  it('alerts carry the version of the model live when their batch was scored; rollback is another promotion', async () => {
    const scorer = new SwitchableScorer(model('v1', 0.95));
    const { driver, transactions, alerts } = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 1, maxDelayMs: 1_000 } } });
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0, transaction_id: 't-1' }), T0);
    await scorer.promote(model('v2', 0.95));
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0 + MIN, transaction_id: 't-2' }), T0 + MIN);
    await scorer.promote(model('v1', 0.95));
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0 + 2 * MIN, transaction_id: 't-3' }), T0 + 2 * MIN);
    const got = (alerts.readValuesToList() as Alert[]).map((a) => [a.transaction!.transaction_id, a.model_version]);
    expect(got).toEqual([['t-1', 'v1'], ['t-2', 'v2'], ['t-3', 'v1']]);
    await driver.close();
  });

  it('a promoted model brings its own threshold', async () => {
    const scorer = new SwitchableScorer(model('v1', 0.6, { threshold: 0.5 }));
    const { driver, transactions, alerts } = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 1, maxDelayMs: 1_000 } } });
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0, transaction_id: 't-1' }), T0);
    await scorer.promote(model('v2', 0.6, { threshold: 0.7 }));
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0 + MIN, transaction_id: 't-2' }), T0 + MIN);
    expect((alerts.readValuesToList() as Alert[]).map((a) => a.transaction!.transaction_id)).toEqual(['t-1']);
    await driver.close();
  });

  it('switches between calls, never inside one, and closes the old model when its last call returns', async () => {
    const v1 = model('v1', 0.9);
    const v2 = model('v2', 0.1);
    const scorer = new SwitchableScorer(v1);
    v1.hold();
    const row = [1, 2, 3];
    const pending = scorer.score([row]);
    await scorer.promote(v2);
    expect(scorer.metadata.version).toBe('v2');
    expect(v1.closed).toBe(false); // still scoring
    v1.release();
    expect(await pending).toEqual([0.9]);
    expect(scorer.scoredBy(row)?.metadata.version).toBe('v1');
    expect(v1.closed).toBe(true);
    expect(await scorer.score([[4]])).toEqual([0.1]);
  });

  it('refuses a model whose features do not match the topology, and keeps the live one', async () => {
    const live = model('v1', 0.9);
    const scorer = new SwitchableScorer(live);
    const renamed = model('bad-names', 0.9, { feature_names: ['a', 'b'] });
    expect(await code(scorer.promote(renamed))).toBe('VIGIL_ERR_MODEL_METADATA');
    expect(await code(scorer.promote(model('bad-set', 0.9, { feature_set_version: 'other' })))).toBe('VIGIL_ERR_MODEL_METADATA');
    expect(await code(scorer.setShadow(renamed))).toBe('VIGIL_ERR_MODEL_METADATA');
    expect(scorer.metadata.version).toBe('v1');
    expect(live.closed).toBe(false);
    expect(await scorer.score([[1]])).toEqual([0.9]);
  });

  it('a shadow model scores the same rows but never alerts; its failures never reach the topology', async () => {
    const seen: Array<{ live: number[]; shadow: number[]; version: string }> = [];
    const errors: unknown[] = [];
    const scorer = new SwitchableScorer(model('live', 0.05), {
      onShadow: (_rows, live, shadow) => seen.push({ live: live.scores, shadow: shadow.scores, version: shadow.model.metadata.version }),
      onShadowError: (err) => errors.push(err),
    });
    await scorer.setShadow(model('candidate', 0.99));
    const { driver, transactions, alerts } = fraudHarness({ scoring: { scorer, batch: { maxBatchSize: 1, maxDelayMs: 1_000 } } });
    for (let i = 0; i < 3; i++) await transactions.pipeInput('c-1', tx({ event_time_ms: T0 + i * MIN, transaction_id: `t-${i}` }), T0 + i * MIN);
    expect(alerts.readValuesToList()).toEqual([]);
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ live: [0.05], shadow: [0.99], version: 'candidate' })));
    const broken = model('broken', 0.5);
    broken.score = async () => {
      throw new Error('onnx crashed');
    };
    await scorer.setShadow(broken);
    await transactions.pipeInput('c-1', tx({ event_time_ms: T0 + 5 * MIN, transaction_id: 't-5' }), T0 + 5 * MIN);
    expect(errors).toHaveLength(1);
    expect(alerts.readValuesToList()).toEqual([]);
    await driver.close();
  });
});
