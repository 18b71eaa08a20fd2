/**
 * The load: fixture transactions (default test/fixtures/small, seed 42)
 * replayed round after round. Round k shifts every event time by k × the
 * fixture's span and suffixes the ids with `.k`, so each card's event time
 * keeps moving forward and its windows stay meaningful; the whole run sits
 * in the past (it starts two years ago) so validation's "not in the future"
 * check passes. Records are keyed by card id, as `vigil replay` keys them,
 * and the harness picks the partition (a hash of the card) so it knows each
 * record's offset from the produce response.
 */
import { join } from 'node:path';
import { projectRoot } from '../../src/cluster/paths.js';
import type { Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { readManifest, readProfiles, readTransactionsPb } from '../../src/fraud/simulator/fixture-reader.js';

export const DEFAULT_FIXTURE = join(projectRoot, 'test', 'fixtures', 'small');
const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;

export interface Workload {
  readonly profiles: readonly UserProfile[];
  /** The fixture's transactions in event-time order. */
  readonly base: readonly Transaction[];
  readonly spanMs: number;
  readonly firstEventMs: number;
  /** The i-th transaction of the endless replay (i ≥ 0). */
  at(i: number): Transaction;
}

export async function loadWorkload(dir = DEFAULT_FIXTURE, nowMs = Date.now()): Promise<Workload> {
  const manifest = await readManifest(dir);
  const profiles = await readProfiles(dir);
  const base: Transaction[] = [];
  for await (const { transaction } of readTransactionsPb(dir)) base.push(transaction);
  base.sort((a, b) => a.event_time_ms - b.event_time_ms);
  const spanMs = manifest.end_ms - manifest.start_ms;
  const shift0 = nowMs - TWO_YEARS_MS - manifest.start_ms;
  return {
    profiles,
    base,
    spanMs,
    firstEventMs: manifest.start_ms + shift0,
    at(i) {
      const round = Math.floor(i / base.length);
      const tx = base[i % base.length] as Transaction;
      return { ...tx, transaction_id: `${tx.transaction_id}.${round}`, event_time_ms: tx.event_time_ms + shift0 + round * spanMs };
    },
  };
}

/** FNV-1a of the card id: a stable card → partition map. */
export function partitionOf(card: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < card.length; i++) {
    h ^= card.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
