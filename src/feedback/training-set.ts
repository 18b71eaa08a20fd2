import { createHash } from 'node:crypto';
import type { AlertFeedback, Chargeback } from './schema.js';

/** A serving feature row (the backfill's or the features topic's) before labels are joined. */
export interface FeatureRow {
  transactionId: string;
  cardId: string;
  eventTimeMs: number;
  features: readonly number[];
}

/** Where a row's label came from. */
export type LabelSource = 'chargeback' | 'verdict_fraud' | 'verdict_legit' | 'unlabelled';

export interface LabelledRow extends FeatureRow {
  label: 0 | 1;
  source: LabelSource;
}

/**
 * How rows with neither a chargeback nor a decisive verdict are treated:
 * `legit` (label 0: the dispute window has passed without a chargeback, the
 * usual assumption, which turns undisputed fraud into label noise) or
 * `drop` (train on labelled rows only, which over-represents alerted ones).
 */
export type UnlabelledPolicy = 'legit' | 'drop';

export interface LabelSummary {
  rows: number;
  bySource: Record<LabelSource, number>;
  fraud: number;
}

/**
 * Joins feature rows with the latest verdict and the chargeback per
 * transaction. A chargeback wins over any verdict (the card holder's
 * dispute is the stronger evidence, and it arrives after the analyst);
 * then confirmed fraud → 1, false positive → 0; `unsure` is no label.
 */
export function labelRows(
  rows: Iterable<FeatureRow>,
  verdicts: ReadonlyMap<string, AlertFeedback>,
  chargebacks: ReadonlyMap<string, Chargeback>,
  unlabelled: UnlabelledPolicy,
): { rows: LabelledRow[]; summary: LabelSummary } {
  const out: LabelledRow[] = [];
  const bySource: Record<LabelSource, number> = { chargeback: 0, verdict_fraud: 0, verdict_legit: 0, unlabelled: 0 };
  for (const row of rows) {
    const verdict = verdicts.get(row.transactionId)?.verdict;
    let source: LabelSource;
    if (chargebacks.has(row.transactionId)) source = 'chargeback';
    else if (verdict === 'VERDICT_CONFIRMED_FRAUD') source = 'verdict_fraud';
    else if (verdict === 'VERDICT_FALSE_POSITIVE') source = 'verdict_legit';
    else source = 'unlabelled';
    bySource[source]++;
    if (source === 'unlabelled' && unlabelled === 'drop') continue;
    out.push({ ...row, label: source === 'chargeback' || source === 'verdict_fraud' ? 1 : 0, source });
  }
  return { rows: out, summary: { rows: out.length, bySource, fraud: out.filter((r) => r.label === 1).length } };
}

/** Train on the earlier rows, evaluate on the later `testFraction` of the event-time range (no look-ahead). */
export function timeSplit<T extends { eventTimeMs: number }>(rows: readonly T[], testFraction: number): { train: T[]; test: T[]; cutMs: number } {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  const times = rows.map((r) => r.eventTimeMs).sort((a, b) => a - b);
  const cutMs = times[Math.min(times.length - 1, Math.floor(times.length * (1 - testFraction)))] ?? 0;
  return { train: rows.filter((r) => r.eventTimeMs < cutMs), test: rows.filter((r) => r.eventTimeMs >= cutMs), cutMs };
}

/** Identifies the feature list a model was trained on: names in order. */
export function featureListHash(names: readonly string[]): string {
  return 'sha256:' + createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
}

/**
 * The CSV `models/train.py` reads: ids, time, label, then a scenario column, which
 * here names the label source of positive rows (train.py reports recall per
 * "scenario") and is `normal` for the rest; then the features.
 */
export function trainingCsv(rows: readonly LabelledRow[], featureNames: readonly string[]): string {
  const lines = [['transaction_id', 'card_id', 'event_time_ms', 'label', 'scenario', ...featureNames].join(',')];
  for (const r of rows) lines.push([r.transactionId, r.cardId, r.eventTimeMs, r.label, r.label === 1 ? r.source : 'normal', ...r.features.map((v) => String(v))].join(','));
  return lines.join('\n') + '\n';
}
