import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../../src/fraud/features/feature-names.js';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';

const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));
const METADATA = fileURLToPath(new URL('../../../models/fraud.metadata.json', import.meta.url));
const PARITY = fileURLToPath(new URL('../../../models/parity.json', import.meta.url));

interface ParityFixture {
  model_version: string;
  feature_names: string[];
  tolerance: number;
  rows: Array<{ transaction_id: string; scenario: string; features: number[]; score: number }>;
}

const parity = JSON.parse(readFileSync(PARITY, 'utf8')) as ParityFixture;
let scorer: OnnxScorer;

beforeAll(async () => {
  scorer = await OnnxScorer.load({ modelPath: MODEL });
});
afterAll(async () => {
  await scorer?.close();
});

describe('OnnxScorer on the committed model', () => {
  it('was trained on the topology features, in order, and the parity fixture is for this model', () => {
    expect(scorer.metadata.feature_names).toEqual(FEATURE_NAMES);
    expect(scorer.metadata.feature_set_version).toBe(FEATURE_SET_VERSION);
    expect(parity.feature_names).toEqual(FEATURE_NAMES);
    expect(parity.model_version).toBe(scorer.metadata.version);
  });

  it('reproduces the scikit-learn scores within 1e-5 on the parity fixture', async () => {
    expect(parity.rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(parity.rows.map((r) => r.scenario)).size).toBeGreaterThanOrEqual(6);
    const scores = await scorer.score(parity.rows.map((r) => r.features));
    const worst = Math.max(...scores.map((s, i) => Math.abs(s - (parity.rows[i]?.score as number))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('scores the same rows identically one at a time and in one batch', async () => {
    const rows = parity.rows.slice(0, 8).map((r) => r.features);
    const batched = await scorer.score(rows);
    const single = await Promise.all(rows.map(async (r) => (await scorer.score([r]))[0]));
    expect(single).toEqual(batched);
  });

  it('refuses metadata whose features differ from the topology, before scoring anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    const meta = JSON.parse(readFileSync(METADATA, 'utf8')) as { feature_names: string[] };
    meta.feature_names = [...meta.feature_names].reverse();
    writeFileSync(join(dir, 'fraud.metadata.json'), JSON.stringify(meta));
    await expect(OnnxScorer.load({ modelPath: MODEL, metadataPath: join(dir, 'fraud.metadata.json') })).rejects.toMatchObject({
      code: 'VIGIL_ERR_MODEL_METADATA',
    });
  });

  it('refuses metadata whose input name is not the model\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    const meta = JSON.parse(readFileSync(METADATA, 'utf8')) as { input_name: string };
    meta.input_name = 'features';
    writeFileSync(join(dir, 'fraud.metadata.json'), JSON.stringify(meta));
    await expect(OnnxScorer.load({ modelPath: MODEL, metadataPath: join(dir, 'fraud.metadata.json') })).rejects.toThrow(/no input "features"/);
  });

  it('reports a missing model file as VIGIL_ERR_MODEL_LOAD', async () => {
    await expect(OnnxScorer.load({ modelPath: join(tmpdir(), 'no-such-model.onnx'), metadataPath: METADATA })).rejects.toMatchObject({
      code: 'VIGIL_ERR_MODEL_LOAD',
    });
  });
});
