import { describe, expect, it } from 'vitest';
import { ShadowOutcomes } from '../../src/feedback/shadow-outcomes.js';

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
});
