/**
 * Micro-batch trade-off of the ONNX scorer: run with
 *
 *   npx tsx models/bench-batch.ts [rows=8192]
 *
 * Scores the same rows (the parity fixture's vectors, repeated) in batches
 * of 1…256 and prints, per batch size, the throughput and the latency of
 * one model call. Three rounds, interleaved across batch sizes so a noisy
 * neighbour hits every size alike; the median round is reported. The
 * results are recorded in docs/fraud.md.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { OnnxScorer } from '../src/fraud/model/onnx-scorer.js';

const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const ROUNDS = 3;

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 8192);
  const model = fileURLToPath(new URL('./fraud.onnx', import.meta.url));
  const parity = JSON.parse(readFileSync(fileURLToPath(new URL('./parity.json', import.meta.url)), 'utf8')) as { rows: Array<{ features: number[] }> };
  const rows = Array.from({ length: total }, (_, i) => (parity.rows[i % parity.rows.length] as { features: number[] }).features);
  const scorer = await OnnxScorer.load({ modelPath: model });
  for (let i = 0; i < 200; i++) await scorer.score(rows.slice(0, 16)); // warm-up

  console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${total} rows`);
  console.log('| batch | rows/s | ms per call (p50) | ms per call (p99) | µs per row |');
  console.log('|---:|---:|---:|---:|---:|');
  const results = new Map<number, Array<{ rowsPerSecond: number; p50: number; p99: number }>>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const size of BATCH_SIZES) {
      const calls: number[] = [];
      const start = process.hrtime.bigint();
      for (let i = 0; i < total; i += size) {
        const t = process.hrtime.bigint();
        await scorer.score(rows.slice(i, i + size));
        calls.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      calls.sort((a, b) => a - b);
      const q = (p: number) => calls[Math.min(calls.length - 1, Math.floor(p * calls.length))] as number;
      const list = results.get(size) ?? [];
      list.push({ rowsPerSecond: total / seconds, p50: q(0.5), p99: q(0.99) });
      results.set(size, list);
    }
  }
  for (const size of BATCH_SIZES) {
    const rounds = (results.get(size) ?? []).sort((a, b) => a.rowsPerSecond - b.rowsPerSecond);
    const m = rounds[Math.floor(rounds.length / 2)] as { rowsPerSecond: number; p50: number; p99: number };
    console.log(`| ${size} | ${Math.round(m.rowsPerSecond)} | ${m.p50.toFixed(3)} | ${m.p99.toFixed(3)} | ${(1e6 / m.rowsPerSecond).toFixed(1)} |`);
  }
  await scorer.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
