import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { ModelError } from '../../../src/fraud/model/errors.js';
import { checkModelMetadata, loadModelMetadata } from '../../../src/fraud/model/metadata.js';
import { fakeMetadata } from '../topology/harness.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ModelError ? err.code : `not a ModelError: ${String(err)}`;
  }
  return undefined;
}

describe('model metadata', () => {
  it('accepts metadata listing the topology features in order', () => {
    expect(checkModelMetadata(fakeMetadata()).feature_names).toEqual(FEATURE_NAMES);
  });

  it('rejects features in another order, naming the first difference', () => {
    const swapped: string[] = [...FEATURE_NAMES];
    [swapped[2], swapped[3]] = [swapped[3] as string, swapped[2] as string];
    expect(() => checkModelMetadata(fakeMetadata({ feature_names: swapped }))).toThrow(/feature #2 is "count_1h" in the model but "count_1m"/);
  });

  it.each([
    ['a missing feature', { feature_names: FEATURE_NAMES.slice(1) }],
    ['another feature set version', { feature_set_version: 'vigil-features-v0' }],
    ['a threshold outside (0, 1)', { threshold: 1.5 }],
    ['a baseline of the wrong length', { baseline: [0] }],
    ['no input name', { input_name: '' }],
  ])('rejects %s with VIGIL_ERR_MODEL_METADATA', (_what, overrides) => {
    expect(codeOf(() => checkModelMetadata(fakeMetadata(overrides)))).toBe('VIGIL_ERR_MODEL_METADATA');
  });

  it('reports an unreadable file as VIGIL_ERR_MODEL_LOAD and says how to fix it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-meta-'));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect(codeOf(() => loadModelMetadata(join(dir, 'broken.json')))).toBe('VIGIL_ERR_MODEL_LOAD');
    expect(() => loadModelMetadata(join(dir, 'absent.json'))).toThrow(/npm run train/);
  });
});
