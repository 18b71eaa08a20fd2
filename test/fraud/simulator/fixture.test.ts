import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_FILES,
  FRAUD_SCENARIOS,
  readLabelledTransactions,
  readManifest,
  readProfiles,
  readTransactionsPb,
  simulate,
  simulateAll,
  writeFixture,
  type FixtureManifest,
  type LabelledTransaction,
} from '../../../src/fraud/simulator/index.js';

const options = { seed: 11, users: 60, days: 2, startMs: Date.UTC(2026, 0, 5) };
let dir: string;
let manifest: FixtureManifest;
const progress: number[] = [];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-fixture-'));
  manifest = await writeFixture(dir, simulate(options), { progressEvery: 50, onProgress: (n) => progress.push(n) });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fixture writer and reader', () => {
  const expected = simulateAll(options);

  it('round-trips labelled transactions through transactions.ndjson', async () => {
    expect(await collect(readLabelledTransactions(dir))).toEqual(expected.transactions);
  });

  it('round-trips transactions through length-delimited Protobuf', async () => {
    const read = await collect(readTransactionsPb(dir));
    expect(read.map((r) => r.transaction)).toEqual(expected.transactions.map((t) => t.transaction));
    expect(read[0]!.payload.length).toBeGreaterThan(20);
  });

  it('round-trips profiles through profiles.ndjson', async () => {
    expect(await readProfiles(dir)).toEqual(expected.profiles);
  });

  it('records options and counts in the manifest', async () => {
    expect(await readManifest(dir)).toEqual(manifest);
    expect(manifest).toMatchObject({ format: 'vigil-fixture/1', seed: 11, users: 60, days: 2, start_ms: options.startMs });
    expect(manifest.counts.transactions).toBe(expected.transactions.length);
    expect(manifest.counts.fraud).toBe(expected.transactions.filter((t) => t.label).length);
    expect(manifest.first_event_ms).toBe(expected.transactions[0]!.transaction.event_time_ms);
    expect(manifest.last_event_ms).toBe(expected.transactions.at(-1)!.transaction.event_time_ms);
  });

  it('reports progress while writing and once at the end', () => {
    expect(progress.at(-1)).toBe(manifest.counts.transactions);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('writes byte-identical files for the same seed', async () => {
    const again = await mkdtemp(join(tmpdir(), 'vigil-fixture-'));
    try {
      await writeFixture(again, simulate(options));
      for (const name of Object.values(FIXTURE_FILES)) {
        expect(await readFile(join(again, name)), name).toEqual(await readFile(join(dir, name)));
      }
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('explains how to make a fixture when the directory is not one', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'vigil-empty-'));
    try {
      await expect(readManifest(empty)).rejects.toMatchObject({ code: 'VIGIL_ERR_FIXTURE', message: expect.stringContaining('vigil simulate') });
      await expect(collect(readTransactionsPb(empty))).rejects.toMatchObject({ code: 'VIGIL_ERR_FIXTURE' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('detects a truncated transactions.pb', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'vigil-trunc-'));
    try {
      const bytes = await readFile(join(dir, FIXTURE_FILES.transactionsPb));
      await writeFile(join(copy, FIXTURE_FILES.transactionsPb), bytes);
      await truncate(join(copy, FIXTURE_FILES.transactionsPb), bytes.length - 3);
      await expect(collect(readTransactionsPb(copy))).rejects.toThrow(/truncated/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});

describe('committed fixture test/fixtures/small', () => {
  const small = join(import.meta.dirname, '../../fixtures/small');

  it('is what `vigil simulate --seed 42 --users 200 --days 3` generates', async () => {
    const m = await readManifest(small);
    expect(m).toMatchObject({ seed: 42, users: 200, days: 3 });
    const regenerated = simulateAll({ seed: m.seed, users: m.users, days: m.days, startMs: m.start_ms, fraudRate: m.fraud_rate });
    const read: LabelledTransaction[] = await collect(readLabelledTransactions(small));
    expect(read).toEqual(regenerated.transactions);
  });

  it('contains every fraud scenario, labelled', async () => {
    const m = await readManifest(small);
    for (const s of FRAUD_SCENARIOS) expect(m.counts.by_scenario[s], s).toBeGreaterThan(0);
  });
});
