import type { FraudScenario, Scenario } from './options.js';
import type { ResolvedShift } from './shift.js';

/**
 * A fixture directory, as written by `vigil simulate --out <dir>`:
 *
 * | file | content |
 * |---|---|
 * | `manifest.json` | {@link FixtureManifest}: the options, time range and counts |
 * | `profiles.ndjson` | one `UserProfile` JSON per line (snake_case, int64 as numbers) |
 * | `transactions.ndjson` | one `{ transaction, label, scenario }` JSON per line, event-time order |
 * | `transactions.pb` | the same transactions as length-delimited Protobuf `vigil.v1.Transaction` (varint length, then the message) |
 *
 * Labels live in `transactions.ndjson` only; the `.pb` file is the wire
 * payload replay produces. Everything is a function of the options, so a
 * fixture is reproducible byte for byte.
 */
export const FIXTURE_FILES = {
  manifest: 'manifest.json',
  profiles: 'profiles.ndjson',
  transactions: 'transactions.ndjson',
  transactionsPb: 'transactions.pb',
} as const;

export const FIXTURE_FORMAT = 'vigil-fixture/1';

export interface FixtureManifest {
  format: typeof FIXTURE_FORMAT;
  seed: number;
  users: number;
  days: number;
  start_ms: number;
  end_ms: number;
  fraud_rate: number;
  scenarios: FraudScenario[];
  /** The shift knobs, only when the world was shifted (`vigil simulate --shift`). */
  shift?: ResolvedShift;
  counts: {
    profiles: number;
    transactions: number;
    fraud: number;
    by_scenario: Partial<Record<Scenario, number>>;
    by_region: Record<string, number>;
  };
  /** Event time of the first and last transaction (replay's cadence starts at the first). */
  first_event_ms: number;
  last_event_ms: number;
}
