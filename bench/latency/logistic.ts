/**
 * The fixed-weights logistic score used on every side of the comparison
 * instead of the ONNX model (Kafka Streams has no ONNX), so the work is
 * equal. The weights are arbitrary and fixed: this is not a fraud model.
 * The threshold is 0, so **every** transaction becomes an alert (with its
 * occlusion reasons) and every transaction is a latency sample.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/cluster/paths.js';
import { describeFeature, FEATURE_NAMES } from '../../src/fraud/features/feature-names.js';
import { loadModelMetadata } from '../../src/fraud/model/metadata.js';
import type { ModelMetadata } from '../../src/fraud/model/metadata.js';
import type { Scorer } from '../../src/fraud/model/scorer.js';

export const LOGISTIC_VERSION = 'bench-logistic-1';
export const BIAS = -4;
/** Deterministic small weights in [-0.05, 0.05]. */
export const WEIGHTS: readonly number[] = FEATURE_NAMES.map((_, i) => (((i * 7) % 11) - 5) / 100);

export function logisticMetadata(threshold = 0): ModelMetadata {
  // The baselines (median legitimate values) come from the committed model, so reasons mean the same on both sides.
  const onnx = loadModelMetadata(join(projectRoot, 'models', 'fraud.metadata.json'));
  return { ...onnx, version: LOGISTIC_VERSION, threshold, model_type: 'fixed-weights logistic (bench)' };
}

export function logisticScore(row: readonly number[]): number {
  let z = BIAS;
  for (let i = 0; i < row.length; i++) z += (WEIGHTS[i] as number) * (row[i] as number);
  return 1 / (1 + Math.exp(-z));
}

export class LogisticScorer implements Scorer {
  constructor(readonly metadata: ModelMetadata) {}
  async score(rows: ReadonlyArray<readonly number[]>): Promise<number[]> {
    return rows.map(logisticScore);
  }
  async close(): Promise<void> {}
}

/** The same model for bench/kstreams: `#key value` lines, then name, weight, baseline, description. */
export function writeLogisticModelFile(dir: string, metadata: ModelMetadata): string {
  const lines = [`#bias\t${BIAS}`, `#threshold\t${metadata.threshold}`, `#version\t${metadata.version}`];
  FEATURE_NAMES.forEach((name, i) => lines.push([name, WEIGHTS[i], metadata.baseline[i], describeFeature(name)].join('\t')));
  const file = join(dir, 'logistic.tsv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const EPSILON = 1e-7;
const logOdds = (p: number) => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};

/**
 * explainScore (src/fraud/decision/explain.ts) for the logistic score,
 * synchronously, for @kafkats/flow whose aggregators cannot await: the same
 * occlusion, ranking, 3 reasons ≥ 0.25 log-odds, else the strongest one.
 */
export function logisticReasons(features: readonly number[], score: number, metadata: ModelMetadata): Array<{ feature: string; value: number; contribution: number; description: string }> {
  const ranked: Array<{ i: number; c: number }> = [];
  features.forEach((value, i) => {
    const baseline = metadata.baseline[i] as number;
    if (value === baseline) return;
    const row = [...features];
    row[i] = baseline;
    ranked.push({ i, c: logOdds(score) - logOdds(logisticScore(row)) });
  });
  ranked.sort((a, b) => b.c - a.c || a.i - b.i);
  const strong = ranked.filter((r) => r.c >= 0.25).slice(0, 3);
  return (strong.length > 0 ? strong : ranked.slice(0, 1)).map(({ i, c }) => {
    const feature = metadata.feature_names[i] as string;
    const value = features[i] as number;
    return { feature, value, contribution: c, description: `${describeFeature(feature)}: ${Number.isInteger(value) ? String(value) : value.toFixed(2)}` };
  });
}
