/**
 * Exports labelled feature vectors for training (`models/train.sh` runs it):
 *
 *   npx tsx src/fraud/topology/export-features.ts --seed 1 --users 2000 --days 28 \
 *     --start 2026-01-05 --fraud-rate 0.06 --warmup-days 3 --out models/data/train.csv
 *
 * Simulates a history, runs it through the fraud topology in backfill mode
 * and writes a CSV: transaction_id, card_id, event_time_ms, label, scenario,
 * then one column per feature in model order. Rows of the first
 * `--warmup-days` are computed (they build the cards' state) but not
 * written: a card seen for the first time is "new" everywhere, which says
 * nothing about fraud.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { simulate } from '../simulator/index.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { backfillFeatures } from './backfill.js';

const DAY_MS = 24 * 3_600_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      users: { type: 'string', default: '1000' },
      days: { type: 'string', default: '28' },
      start: { type: 'string', default: '2026-01-05' },
      'fraud-rate': { type: 'string', default: '0.04' },
      'warmup-days': { type: 'string', default: '3' },
      out: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out <file.csv> is required');
  const startMs = Date.parse(`${values.start}T00:00:00Z`);
  if (!Number.isFinite(startMs)) throw new Error(`--start must be a date like 2026-01-05, got ${values.start}`);
  const sim = simulate({
    seed: Number(values.seed),
    users: Number(values.users),
    days: Number(values.days),
    startMs,
    fraudRate: Number(values['fraud-rate']),
  });
  const keepFrom = startMs + Number(values['warmup-days']) * DAY_MS;
  mkdirSync(dirname(values.out), { recursive: true });
  const out = createWriteStream(values.out);
  out.write(['transaction_id', 'card_id', 'event_time_ms', 'label', 'scenario', ...FEATURE_NAMES].join(',') + '\n');
  let rows = 0;
  let frauds = 0;
  const started = process.hrtime.bigint();
  for await (const row of backfillFeatures({ profiles: sim.profiles, transactions: sim })) {
    if (row.eventTimeMs < keepFrom) continue;
    rows++;
    if (row.label) frauds++;
    // Full precision: the parity fixture compares to 1e-5.
    const line = [row.transactionId, row.cardId, row.eventTimeMs, row.label ? 1 : 0, row.scenario, ...row.features.map((v) => String(v))].join(',');
    if (!out.write(line + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`exported ${rows} rows (${frauds} fraud) to ${values.out} in ${seconds.toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
