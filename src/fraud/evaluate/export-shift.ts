/**
 * Exports the labelled feature vectors of one named world of
 * `SHIFT_PRESETS` for `npm run eval` (models/evaluate.sh runs it):
 *
 *   npx tsx src/fraud/evaluate/export-shift.ts --preset processor --users 800 --days 10 --out eval/processor.csv
 *
 * Same CSV as export-features.ts (transaction_id, card_id, event_time_ms,
 * label, scenario, then the features in model order), computed by the same
 * serving topology in backfill mode. With `--observed-labels` the label
 * column is what a model trained at the end of the history would know:
 * a fraud whose label is late past that point, or never arrives, is 0 (its
 * scenario column keeps the truth, so the evaluation can count it).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { labelArrivalMs, observedLabel, SHIFT_PRESETS, simulate, type ShiftPreset } from '../simulator/index.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { backfillFeatures, type LabelledFeatureRow } from '../topology/backfill.js';

const DAY_MS = 24 * 3_600_000;

export const EXPORT_SHIFT_USAGE = `usage: npx tsx src/fraud/evaluate/export-shift.ts --preset NAME --out FILE.csv [options]
  --preset NAME        one of ${Object.keys(SHIFT_PRESETS).join(', ')}
  --users N            users (default 800)
  --days N             days of history, warm-up included (default 10)
  --start DATE         first day, UTC (default 2026-03-02)
  --warmup-days N      days computed but not written (default 3)
  --observed-labels    label = known by the end of the history (late and missing labels)
  --out FILE           the CSV to write`;

export interface ShiftExportOptions {
  readonly users: number;
  readonly days: number;
  readonly startMs: number;
  /** Rows of the first days are computed (they build the cards' state) but not yielded. */
  readonly warmupDays: number;
  /** The label as known at the end of the history instead of the truth. */
  readonly observedLabels: boolean;
}

/** One exported row; `label` is the observed one when asked for, `trueLabel` always the truth. */
export interface ShiftRow extends LabelledFeatureRow {
  readonly trueLabel: boolean;
}

/** Simulates a preset's world and runs it through the serving topology in backfill mode. */
export async function* exportShiftRows(preset: ShiftPreset, options: ShiftExportOptions): AsyncGenerator<ShiftRow> {
  const sim = simulate({
    seed: preset.seed,
    users: options.users,
    days: options.days,
    startMs: options.startMs,
    fraudRate: preset.fraudRate,
    scenarios: preset.scenarios,
    shift: preset.shift,
  });
  const keepFrom = options.startMs + options.warmupDays * DAY_MS;
  for await (const row of backfillFeatures({ profiles: sim.profiles, transactions: sim })) {
    if (row.eventTimeMs < keepFrom) continue;
    const label =
      options.observedLabels && row.label ? observedLabel(true, labelArrivalMs(sim.options.shift, preset.seed, row.transactionId, row.eventTimeMs), sim.endMs) : row.label;
    yield { ...row, label, trueLabel: row.label };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string' },
      users: { type: 'string', default: '800' },
      days: { type: 'string', default: '10' },
      start: { type: 'string', default: '2026-03-02' },
      'warmup-days': { type: 'string', default: '3' },
      'observed-labels': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(EXPORT_SHIFT_USAGE);
    return;
  }
  const preset = values.preset ? SHIFT_PRESETS[values.preset] : undefined;
  if (!preset || !values.out) throw new Error(`--preset and --out are required\n${EXPORT_SHIFT_USAGE}`);
  const startMs = Date.parse(`${values.start}T00:00:00Z`);
  if (!Number.isFinite(startMs)) throw new Error(`--start must be a date like 2026-03-02, got ${values.start}`);
  mkdirSync(dirname(values.out), { recursive: true });
  const out = createWriteStream(values.out);
  out.write(['transaction_id', 'card_id', 'event_time_ms', 'label', 'scenario', ...FEATURE_NAMES].join(',') + '\n');
  let rows = 0;
  let frauds = 0;
  let hidden = 0;
  const started = process.hrtime.bigint();
  const options = { users: Number(values.users), days: Number(values.days), startMs, warmupDays: Number(values['warmup-days']), observedLabels: values['observed-labels'] };
  for await (const row of exportShiftRows(preset, options)) {
    rows++;
    if (row.trueLabel) frauds++;
    if (row.trueLabel && !row.label) hidden++;
    // Full precision: a parity fixture compares to 1e-5.
    const line = [row.transactionId, row.cardId, row.eventTimeMs, row.label ? 1 : 0, row.scenario, ...row.features.map((v) => String(v))].join(',');
    if (!out.write(line + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${preset.name}: ${rows} rows (${frauds} fraud, ${hidden} of them without a label yet) to ${values.out} in ${seconds.toFixed(1)} s`);
}

// Run as a script only, so the test can import exportShiftRows.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
