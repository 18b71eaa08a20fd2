/** One feature's training distribution: bin upper edges (the last bin is open) and each bin's share. */
export interface FeatureReference {
  name: string;
  /** Ascending upper edges; a value v falls in the first bin whose edge is >= v, else the last bin. */
  edges: number[];
  /** edges.length + 1 shares summing to 1. */
  proportions: number[];
}

/** A distribution as bins: ascending upper edges (the last bin is open) and each bin's share. */
export interface BinnedReference {
  edges: number[];
  /** edges.length + 1 shares summing to 1. */
  proportions: number[];
}

/** `drift_reference` in a model's metadata, written by `vigil train` and `npm run eval -- --write-model`. */
export interface DriftReference {
  features: FeatureReference[];
  /** The model's own scores on its training rows (score drift); absent in older metadata. */
  score?: BinnedReference;
}

const EPSILON = 1e-4;
const DEFAULT_BINS = 10;

function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Reference bins from training rows: decile edges per feature (deduplicated,
 * so a mostly-zero feature gets few bins) and the share of rows in each.
 */
export function driftReference(names: readonly string[], rows: ReadonlyArray<readonly number[]>, bins = DEFAULT_BINS, scores?: readonly number[]): DriftReference {
  const reference: DriftReference = { features: names.map((name, f) => ({ name, ...binned(rows.map((r) => r[f] as number), bins) })) };
  if (scores !== undefined) reference.score = binned(scores, bins);
  return reference;
}

/** Decile edges of `values` (deduplicated, so a mostly-constant distribution gets few bins) and the share of values in each bin. */
export function binned(values: readonly number[], bins = DEFAULT_BINS): BinnedReference {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = [...new Set(Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)] as number))].filter((v) => v !== undefined);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sorted) counts[binOf(edges, v)]! += 1;
  return { edges, proportions: counts.map((c) => c / Math.max(1, sorted.length)) };
}

/** Population stability index of `actual` counts against `expected` shares; small shares are floored so empty bins stay finite. */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  const total = actual.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let sum = 0;
  expected.forEach((e, i) => {
    const ee = Math.max(e, EPSILON);
    const a = Math.max((actual[i] ?? 0) / total, EPSILON);
    sum += (a - ee) * Math.log(a / ee);
  });
  return sum;
}

/**
 * Serving distribution per feature, binned as in training, since the model
 * went live. PSI per feature: < 0.1 stable, 0.1–0.25 moderate, > 0.25 a shift
 * worth retraining for (the usual reading).
 */
export class DriftTracker {
  readonly #counts: number[][];
  readonly #scoreCounts: number[] | undefined;
  #rows = 0;

  constructor(readonly reference: DriftReference) {
    this.#counts = reference.features.map((f) => new Array<number>(f.proportions.length).fill(0));
    this.#scoreCounts = reference.score ? new Array<number>(reference.score.proportions.length).fill(0) : undefined;
  }

  /** One scored batch: its feature rows and, for score drift, the live model's scores of them. */
  observe(rows: ReadonlyArray<readonly number[]>, scores?: readonly number[]): void {
    // Per scored row, on the scoring path: plain loops, no closure per row.
    const features = this.reference.features;
    for (const row of rows) {
      for (let i = 0; i < features.length; i++) this.#counts[i]![binOf(features[i]!.edges, row[i] as number)]! += 1;
    }
    const score = this.reference.score;
    if (score && this.#scoreCounts && scores) for (const s of scores) this.#scoreCounts[binOf(score.edges, s)]! += 1;
    this.#rows += rows.length;
  }

  /** PSI of the live model's scores against its scores on the training rows; undefined without a score reference. */
  scorePsi(): number | undefined {
    return this.reference.score && this.#scoreCounts ? psi(this.reference.score.proportions, this.#scoreCounts) : undefined;
  }

  get rows(): number {
    return this.#rows;
  }

  psi(): Array<{ feature: string; psi: number }> {
    return this.reference.features.map((f, i) => ({ feature: f.name, psi: psi(f.proportions, this.#counts[i]!) }));
  }
}

/** The metadata's drift reference, if it has a usable one for these feature names. */
export function driftReferenceOf(metadata: { feature_names: readonly string[]; [k: string]: unknown }): DriftReference | undefined {
  const ref = metadata.drift_reference as DriftReference | undefined;
  if (!ref || !Array.isArray(ref.features) || ref.features.length !== metadata.feature_names.length) return undefined;
  const ok = ref.features.every((f, i) => f.name === metadata.feature_names[i] && Array.isArray(f.edges) && Array.isArray(f.proportions) && f.proportions.length === f.edges.length + 1);
  if (!ok) return undefined;
  const score = ref.score;
  if (score === undefined) return ref;
  // A malformed score reference drops score drift, not feature drift.
  const scoreOk = Array.isArray(score.edges) && Array.isArray(score.proportions) && score.proportions.length === score.edges.length + 1;
  return scoreOk ? ref : { features: ref.features };
}
