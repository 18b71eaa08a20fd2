import { readFileSync } from 'node:fs';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../features/feature-names.js';
import { ModelError } from './errors.js';

/**
 * `models/fraud.metadata.json`, written by `models/train.py` next to the
 * ONNX file. Snake-case keys because Python writes it.
 */
export interface ModelMetadata {
  /** Model version, copied into every alert. */
  readonly version: string;
  /** Must equal the topology's FEATURE_SET_VERSION. */
  readonly feature_set_version: string;
  /** Must equal the topology's FEATURE_NAMES, in order. */
  readonly feature_names: readonly string[];
  /** Alert when the fraud probability is at least this. */
  readonly threshold: number;
  /** The ONNX graph's input (float32 [N, features]) and probability output ([N, 2]) names. */
  readonly input_name: string;
  readonly output_name: string;
  /**
   * A typical legitimate value per feature (median over legitimate training
   * rows); reasons measure how far the score falls when a feature is set to
   * it.
   */
  readonly baseline: readonly number[];
  readonly model_type?: string;
  /** Anything else train.py records (metrics, data, versions). */
  readonly [extra: string]: unknown;
}

/** What the topology expects of a model. */
export interface ExpectedFeatures {
  readonly featureNames: readonly string[];
  readonly featureSetVersion: string;
}

export const TOPOLOGY_FEATURES: ExpectedFeatures = { featureNames: FEATURE_NAMES, featureSetVersion: FEATURE_SET_VERSION };

/** Reads and checks a metadata file; throws VIGIL_ERR_MODEL_LOAD or VIGIL_ERR_MODEL_METADATA. */
export function loadModelMetadata(path: string, expected: ExpectedFeatures = TOPOLOGY_FEATURES): ModelMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ModelError('VIGIL_ERR_MODEL_LOAD', `cannot read model metadata ${path}: ${(cause as Error).message}; run \`npm run train\` to produce it`, { cause });
  }
  return checkModelMetadata(raw, expected, path);
}

/**
 * Checks parsed metadata against the topology's feature list. A mismatch
 * means the model was trained on other features: scoring with it would be
 * silently wrong, so it fails at load instead.
 */
export function checkModelMetadata(raw: unknown, expected: ExpectedFeatures = TOPOLOGY_FEATURES, where = 'model metadata'): ModelMetadata {
  const fail = (why: string): never => {
    throw new ModelError('VIGIL_ERR_MODEL_METADATA', `${where}: ${why}; retrain with \`npm run train\` so the model matches the topology`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('not a JSON object');
  const m = raw as { [k: string]: unknown };
  for (const field of ['version', 'feature_set_version', 'input_name', 'output_name'] as const) {
    if (typeof m[field] !== 'string' || m[field] === '') fail(`"${field}" must be a non-empty string`);
  }
  if (typeof m.threshold !== 'number' || !(m.threshold > 0 && m.threshold < 1)) fail(`"threshold" must be a number in (0, 1), got ${String(m.threshold)}`);
  if (!Array.isArray(m.feature_names) || !m.feature_names.every((n) => typeof n === 'string')) fail('"feature_names" must be a list of strings');
  const names = m.feature_names as string[];
  if (m.feature_set_version !== expected.featureSetVersion) {
    fail(`feature set version is "${String(m.feature_set_version)}" but the topology computes "${expected.featureSetVersion}"`);
  }
  if (names.length !== expected.featureNames.length) {
    fail(`the model has ${names.length} features but the topology computes ${expected.featureNames.length}`);
  }
  const at = names.findIndex((n, i) => n !== expected.featureNames[i]);
  if (at >= 0) fail(`feature #${at} is "${names[at]}" in the model but "${expected.featureNames[at]}" in the topology`);
  if (!Array.isArray(m.baseline) || m.baseline.length !== names.length || !m.baseline.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail(`"baseline" must hold ${names.length} finite numbers`);
  }
  return Object.freeze({ ...(m as unknown as ModelMetadata) });
}
