import { describe, expect, it } from 'vitest';
import { FeedbackError } from '../../src/feedback/errors.js';
import { VerdictBook, feedbackFor, parseVerdictRequest } from '../../src/feedback/verdicts.js';
import { sampleAlert } from '../webhook/alert-fixture.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof FeedbackError ? err.code : String(err);
  }
  return 'no error';
};

describe('parseVerdictRequest', () => {
  it('maps the page values to the stored enum names and trims the analyst', () => {
    expect(parseVerdictRequest({ verdict: 'confirmed_fraud', analyst: ' alice ' })).toEqual({ verdict: 'VERDICT_CONFIRMED_FRAUD', analyst: 'alice' });
    expect(parseVerdictRequest({ verdict: 'false_positive', analyst: 'Zoë O\'Neil' }).verdict).toBe('VERDICT_FALSE_POSITIVE');
    expect(parseVerdictRequest({ verdict: 'unsure', analyst: 'bob@bank' }).verdict).toBe('VERDICT_UNSURE');
  });

  it.each([
    ['null', null],
    ['an array', [1]],
    ['a string', 'confirmed_fraud'],
    ['an unknown verdict', { verdict: 'maybe', analyst: 'a' }],
    ['an inherited property name', { verdict: 'toString', analyst: 'a' }],
    ['the stored enum name', { verdict: 'VERDICT_UNSURE', analyst: 'a' }],
    ['no analyst', { verdict: 'unsure' }],
    ['an empty analyst', { verdict: 'unsure', analyst: '  ' }],
    ['markup in the analyst', { verdict: 'unsure', analyst: '<img src=x>' }],
    ['a 65-character analyst', { verdict: 'unsure', analyst: 'a'.repeat(65) }],
    ['an extra field', { verdict: 'unsure', analyst: 'a', transaction_id: 't-9' }],
  ])('refuses %s with VIGIL_ERR_VERDICT_INPUT', (_name, body) => {
    expect(code(() => parseVerdictRequest(body))).toBe('VIGIL_ERR_VERDICT_INPUT');
  });
});

describe('VerdictBook', () => {
  const verdict = (n: number, v: 'confirmed_fraud' | 'false_positive' | 'unsure', at = 1_000) =>
    feedbackFor(`msg_${n}`, sampleAlert(n), parseVerdictRequest({ verdict: v, analyst: 'alice' }), at);

  it('carries the alert\'s transaction, model and score into the record', () => {
    expect(verdict(3, 'confirmed_fraud', 42)).toMatchObject({
      transaction_id: 't-3',
      alert_id: 'msg_3',
      card_id: 'card-3',
      verdict: 'VERDICT_CONFIRMED_FRAUD',
      analyst: 'alice',
      decided_at_ms: 42,
      model_version: sampleAlert(3).model_version,
      score: sampleAlert(3).score,
    });
  });

  it('keeps the latest verdict per transaction and derives precision from the decisive ones', () => {
    const book = new VerdictBook();
    expect(book.counts()).toEqual({ confirmedFraud: 0, falsePositive: 0, unsure: 0, precision: null });
    book.record(verdict(1, 'confirmed_fraud'));
    book.record(verdict(2, 'false_positive'));
    book.record(verdict(3, 'unsure'));
    book.record(verdict(4, 'confirmed_fraud'));
    expect(book.counts()).toEqual({ confirmedFraud: 2, falsePositive: 1, unsure: 1, precision: 2 / 3 });
    book.record(verdict(2, 'confirmed_fraud', 2_000)); // a second verdict replaces the first
    expect(book.counts()).toEqual({ confirmedFraud: 3, falsePositive: 0, unsure: 1, precision: 1 });
    expect(book.get('t-2')?.decided_at_ms).toBe(2_000);
    expect(book.all().map((f) => f.transaction_id)).toEqual(['t-1', 't-3', 't-4', 't-2']);
  });
});
