import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelMetadata, TOPOLOGY_FEATURES, type ExpectedFeatures, type ModelMetadata } from '../fraud/model/metadata.js';
import { OnnxScorer } from '../fraud/model/onnx-scorer.js';
import { FeedbackError } from './errors.js';

/** A version names a directory: no separators, no dot-dot, so a control record cannot point outside the models dir. */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface ModelFiles {
  dir: string;
  modelPath: string;
  metadataPath: string;
}

/** `<modelsDir>/<version>/fraud.onnx` and its metadata; throws VIGIL_ERR_MODEL_VERSION when either is missing. */
export function modelFiles(modelsDir: string, version: string): ModelFiles {
  if (!VERSION.test(version) || version.includes('..')) {
    throw new FeedbackError('VIGIL_ERR_MODEL_VERSION', `"${version}" is not a model version (letters, digits, ._- only)`);
  }
  const dir = join(modelsDir, version);
  const files = { dir, modelPath: join(dir, 'fraud.onnx'), metadataPath: join(dir, 'fraud.metadata.json') };
  if (!existsSync(files.modelPath) || !existsSync(files.metadataPath)) {
    throw new FeedbackError('VIGIL_ERR_MODEL_VERSION', `no model ${version} in ${modelsDir} (expected ${version}/fraud.onnx and ${version}/fraud.metadata.json)`);
  }
  return files;
}

/** Checks a version's metadata against the topology's features without loading the model (VIGIL_ERR_MODEL_METADATA on a mismatch). */
export function checkModelVersion(modelsDir: string, version: string, expected: ExpectedFeatures = TOPOLOGY_FEATURES): ModelMetadata {
  return loadModelMetadata(modelFiles(modelsDir, version).metadataPath, expected);
}

/** Loads a version for scoring; the metadata check runs first. */
export async function loadModelVersion(modelsDir: string, version: string, expected: ExpectedFeatures = TOPOLOGY_FEATURES): Promise<OnnxScorer> {
  const files = modelFiles(modelsDir, version);
  return OnnxScorer.load({ modelPath: files.modelPath, metadataPath: files.metadataPath, expected });
}
