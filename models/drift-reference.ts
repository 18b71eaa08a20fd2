/**
 * Adds a drift reference to a model directory's metadata: decile bins of
 * every feature over the training rows, and of the model's own scores on
 * them (what `vigil_feature_psi` and `vigil_score_psi` compare serving
 * against). `vigil train` writes one itself; `npm run eval -- --write-model`
 * runs this on the training world it exported.
 *
 *   npx tsx models/drift-reference.ts <model-dir> <training-rows.csv>
 *
 * The CSV is the export format (src/fraud/topology/export-features.ts): a
 * header naming the feature columns, one row per transaction.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoresOf } from '../src/commands/train.js';
import { FEATURE_NAMES } from '../src/fraud/features/feature-names.js';
import { driftReference } from '../src/fraud/model/drift.js';

const [dir, csv] = process.argv.slice(2);
if (!dir || !csv || dir === '--help') {
  process.stderr.write('usage: npx tsx models/drift-reference.ts <model-dir> <training-rows.csv>\n');
  process.exit(dir === '--help' ? 0 : 2);
}
const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
const header = (lines[0] ?? '').split(',');
const columns = FEATURE_NAMES.map((name) => {
  const at = header.indexOf(name);
  if (at < 0) throw new Error(`${csv} has no column "${name}"; export it with src/fraud/topology/export-features.ts`);
  return at;
});
const rows = lines.slice(1).map((line) => {
  const cells = line.split(',');
  return columns.map((c) => Number(cells[c]));
});
const metadataPath = join(dir, 'fraud.metadata.json');
const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, unknown>;
metadata.drift_reference = driftReference(FEATURE_NAMES, rows, undefined, await scoresOf(join(dir, 'fraud.onnx'), rows));
writeFileSync(metadataPath, JSON.stringify(metadata, null, 2) + '\n');
process.stdout.write(`${metadataPath}: drift reference from ${rows.length} rows of ${csv}\n`);
