import { describeFeature } from '../features/feature-names.js';
import type { ModelMetadata } from '../model/metadata.js';
import type { Scorer } from '../model/scorer.js';
import type { Reason } from '../schema/types.js';

export interface ReasonOptions {
  /** At most this many reasons per alert. Default 3. */
  readonly maxReasons: number;
  /** Reasons must move the score by at least this many log-odds. Default 0.25. */
  readonly minContribution: number;
}

export const DEFAULT_REASON_OPTIONS: ReasonOptions = Object.freeze({ maxReasons: 3, minContribution: 0.25 });

/** Probabilities are clamped this far from 0 and 1 so log-odds stay finite. */
const EPSILON = 1e-7;

/** log(p / (1 - p)): differences of log-odds do not depend on where the threshold sits. */
export function logOdds(p: number): number {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
}

/**
 * Why a transaction scored high: occlusion attribution. For each feature
 * that differs from its baseline (the median legitimate value, from the
 * model metadata), the model rescored with that one feature set back to the
 * baseline; the reason's contribution is how much the score drops, in
 * log-odds (the Reason message's "model's own units": a fraud model's
 * probabilities sit near 0, so probability differences would be tiny and
 * depend on the threshold). It is model-agnostic, uses the very model that decided, and costs
 * one extra batch per alert (alerts are rare). It does not split credit for
 * interactions: two features that only matter together each get the full
 * drop, which for a reader is the honest answer ("either alone would do").
 *
 * Returns the strongest reasons first. When no single feature moves the
 * score by `minContribution`, the strongest one is still returned, so
 * an alert never comes without a reason.
 */
export async function explainScore(
  scorer: Scorer,
  metadata: ModelMetadata,
  features: readonly number[],
  score: number,
  options: ReasonOptions = DEFAULT_REASON_OPTIONS,
): Promise<Reason[]> {
  const candidates: number[] = [];
  const rows: number[][] = [];
  features.forEach((value, i) => {
    const baseline = metadata.baseline[i] as number;
    if (value === baseline) return;
    const row = [...features];
    row[i] = baseline;
    candidates.push(i);
    rows.push(row);
  });
  if (rows.length === 0) return [];
  const occluded = await scorer.score(rows);
  const ranked = candidates
    .map((featureIndex, j) => ({ featureIndex, contribution: logOdds(score) - logOdds(occluded[j] as number) }))
    // Ties broken by feature order so reasons are deterministic.
    .sort((a, b) => b.contribution - a.contribution || a.featureIndex - b.featureIndex);
  const strong = ranked.filter((r) => r.contribution >= options.minContribution).slice(0, options.maxReasons);
  const chosen = strong.length > 0 ? strong : ranked.slice(0, 1);
  return chosen.map(({ featureIndex, contribution }) => {
    const feature = metadata.feature_names[featureIndex] as string;
    const value = features[featureIndex] as number;
    return { feature, value, contribution, description: `${describeFeature(feature)}: ${formatValue(value)}` };
  });
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
