import { describe, expect, it } from 'vitest';
import { ShadowOutcomes } from '../../src/feedback/shadow-outcomes.js';
import type { DecidedTransaction } from '../../src/feedback/shadow-outcomes.js';
import type { VerdictName } from '../../src/feedback/schema.js';
import { seededRandom } from '../../src/webhook/scheduler.js';

const decided = (o: ShadowOutcomes, id: string, live: boolean, shadow?: boolean) =>
  o.decided({ transactionId: id, live: { version: 'a', alerted: live }, ...(shadow === undefined ? {} : { shadow: { version: 'b', alerted: shadow } }) });

describe('ShadowOutcomes', () => {
  it('gives each model precision and recall on the labelled transactions only, labels before or after the decision', () => {
    const o = new ShadowOutcomes();
    o.chargeback('t1'); // label first (a replay)
    decided(o, 't1', true, false);
    decided(o, 't2', true, true);
    decided(o, 't3', false, true);
    decided(o, 't4', false, false);
    decided(o, 't5', true, true); // never labelled: counts for neither
    o.verdict('t2', 'VERDICT_FALSE_POSITIVE');
    o.chargeback('t3');
    o.verdict('t4', 'VERDICT_UNSURE'); // no usable label
    const byRole = Object.fromEntries(o.outcomes().map((x) => [x.role, x]));
    // live alerted t1 (fraud), t2 (legit); missed t3 (fraud)
    expect(byRole.live).toMatchObject({ version: 'a', labelled: 3, labelledFraud: 2, alertedLabelled: 2, alertedFraud: 1, precision: 0.5, recall: 0.5 });
    // shadow alerted t2 (legit), t3 (fraud); missed t1
    expect(byRole.shadow).toMatchObject({ version: 'b', labelled: 3, labelledFraud: 2, alertedLabelled: 2, alertedFraud: 1, precision: 0.5, recall: 0.5 });
  });

  it('lets a chargeback override a false-positive verdict, takes a withdrawn verdict back, and forgets the oldest beyond its bound', () => {
    const o = new ShadowOutcomes(2);
    decided(o, 't1', true);
    o.verdict('t1', 'VERDICT_FALSE_POSITIVE');
    o.chargeback('t1');
    expect(o.outcomes()[0]).toMatchObject({ labelledFraud: 1, precision: 1 });
    o.verdict('t1', undefined);
    expect(o.outcomes()[0]).toMatchObject({ labelledFraud: 1 }); // the chargeback stays
    decided(o, 't2', false);
    decided(o, 't3', false);
    expect(o.outcomes()[0]).toMatchObject({ labelled: 0, precision: undefined, recall: undefined }); // t1 was forgotten
  });

  it('keeps its running tallies equal to a count from scratch through random decisions, relabels, withdrawals and evictions', () => {
    const bound = 40;
    const o = new ShadowOutcomes(bound);
    const decisions = new Map<string, DecidedTransaction>();
    const labels = new Map<string, { chargeback: boolean; verdict?: VerdictName }>();
    const trim = (m: Map<string, unknown>) => {
      for (const k of m.keys()) {
        if (m.size <= bound) break;
        m.delete(k);
      }
    };
    const fromScratch = () => {
      const t = new Map<string, { role: string; version: string; labelled: number; labelledFraud: number; alertedLabelled: number; alertedFraud: number }>();
      for (const d of decisions.values()) {
        const l = labels.get(d.transactionId);
        const fraud = !l ? undefined : l.chargeback || l.verdict === 'VERDICT_CONFIRMED_FRAUD' ? true : l.verdict === 'VERDICT_FALSE_POSITIVE' ? false : undefined;
        for (const [role, side] of [['live', d.live], ['shadow', d.shadow]] as const) {
          if (!side) continue;
          const key = `${role}/${side.version}`;
          const e = t.get(key) ?? { role, version: side.version, labelled: 0, labelledFraud: 0, alertedLabelled: 0, alertedFraud: 0 };
          t.set(key, e);
          if (fraud === undefined) continue;
          e.labelled++;
          if (fraud) e.labelledFraud++;
          if (side.alerted) e.alertedLabelled++;
          if (side.alerted && fraud) e.alertedFraud++;
        }
      }
      return [...t.values()].sort((a, b) => `${a.role}/${a.version}`.localeCompare(`${b.role}/${b.version}`));
    };
    const got = () =>
      o
        .outcomes()
        .map(({ precision: _p, recall: _r, ...x }) => x)
        .sort((a, b) => `${a.role}/${a.version}`.localeCompare(`${b.role}/${b.version}`));
    const r = seededRandom(7);
    const verdicts: Array<VerdictName | undefined> = ['VERDICT_CONFIRMED_FRAUD', 'VERDICT_FALSE_POSITIVE', 'VERDICT_UNSURE', undefined];
    for (let step = 0; step < 3_000; step++) {
      const id = `t${Math.floor(r() * 80)}`;
      const pick = r();
      if (pick < 0.5) {
        const d: DecidedTransaction = { transactionId: id, live: { version: r() < 0.5 ? 'a' : 'b', alerted: r() < 0.3 }, ...(r() < 0.6 ? { shadow: { version: 'c', alerted: r() < 0.3 } } : {}) };
        o.decided(d);
        decisions.delete(id);
        decisions.set(id, d);
        trim(decisions);
      } else if (pick < 0.7) {
        o.chargeback(id);
        const l = labels.get(id) ?? { chargeback: false };
        labels.set(id, l);
        l.chargeback = true;
        trim(labels);
      } else {
        const v = verdicts[Math.floor(r() * verdicts.length)];
        o.verdict(id, v);
        const l = labels.get(id) ?? { chargeback: false };
        labels.set(id, l);
        if (v === undefined) delete l.verdict;
        else l.verdict = v;
        trim(labels);
      }
      expect(got(), `step ${step}`).toEqual(fromScratch());
    }
  });
});
