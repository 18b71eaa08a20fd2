/**
 * The benchmark workload, shared by the topology and the store-level runs
 * so both see the same records: `records` transactions over `keys`
 * accounts, event time advancing `stepMs` per record, every tenth record a
 * table update (the account profile the stream joins against). A seeded
 * RNG makes every run see identical input.
 */
export interface BenchArgs {
  readonly records: number;
  readonly keys: number;
  readonly stepMs: number;
  /** Commit (flush stores) every this many records. */
  readonly commitEvery: number;
  /** Which store setups to run; default all three. */
  readonly setups: readonly string[];
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
    return n;
  };
  return {
    records: int('records', 1_000_000),
    keys: int('keys', 100_000),
    stepMs: int('step-ms', 4),
    commitEvery: int('commit-every', 10_000),
    setups: value('setups')?.split(',') ?? ['memory', 'leveldb-cache', 'leveldb'],
  };
}

export interface BenchRecord {
  readonly key: string;
  readonly timestamp: number;
  /** A transaction amount in cents, or, for table updates, the profile's risk tier. */
  readonly amount: number;
  readonly isTableUpdate: boolean;
}

/** mulberry32: tiny, fast and good enough to spread keys. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const START_TIME = Date.UTC(2026, 0, 1);

export function* generateRecords(args: BenchArgs): Generator<BenchRecord> {
  const random = seededRandom(42);
  for (let i = 0; i < args.records; i++) {
    const key = `acct-${String(Math.floor(random() * args.keys)).padStart(6, '0')}`;
    yield {
      key,
      timestamp: START_TIME + i * args.stepMs,
      amount: Math.floor(random() * 100_000),
      isTableUpdate: i % 10 === 0,
    };
  }
}

export const WINDOW = {
  /** Tumbling window of the count. */
  countSizeMs: 60_000,
  /** Hopping window of the sum: 5 minutes advancing by 1 minute (5 windows per record). */
  sumSizeMs: 5 * 60_000,
  sumAdvanceMs: 60_000,
  graceMs: 30_000,
};
