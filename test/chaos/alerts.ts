import type { Alert, Transaction } from '../../src/fraud/schema/types.js';
import { vigilSchema } from '../../src/fraud/schema/vigil-schema.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import type { ConsumedRecord } from '../../src/streams/kafka/index.js';
import { defer, registryUrl } from './harness.js';

/** A registry serde for `messageName` on `topics`, prepared and closed with the test. */
export async function preparedSerde<T>(topics: string[], messageName: 'vigil.v1.Alert' | 'vigil.v1.Transaction'): Promise<RegistrySerde<T>> {
  const serde = registrySerde<T>({ url: registryUrl(), topics, schema: vigilSchema().text, messageName, refreshIntervalMs: 0 });
  await serde.prepare();
  defer(() => serde.close());
  return serde;
}

export async function decodeAlerts(topic: string, records: readonly ConsumedRecord[]): Promise<Alert[]> {
  const serde = await preparedSerde<Alert>([topic], 'vigil.v1.Alert');
  return records.map((r) => serde.deserialize(topic, r.value) as Alert);
}

export async function decodeTransactions(topics: string[], records: readonly ConsumedRecord[]): Promise<Transaction[]> {
  const serde = await preparedSerde<Transaction>(topics, 'vigil.v1.Transaction');
  return records.map((r) => serde.deserialize(r.topic, r.value) as Transaction);
}

export interface Comparison {
  expected: number;
  actual: number;
  /** In the reference, not in the output. */
  lost: number;
  /** Output records beyond the first of each id. */
  duplicated: number;
  /** In the output, not in the reference. */
  unexpected: number;
  /** Same id, different content (score, reasons, transaction). */
  different: number;
  /** Up to three differing pairs, to diagnose a failure. */
  examples: Array<{ expected?: string; actual?: string }>;
}

/**
 * Compares by id: `lost`, `duplicated`, `unexpected` and `different`
 * should all be 0. Values are compared as JSON, so a float that differs in
 * its last bit counts as different.
 */
export function compareById<T>(expected: readonly T[], actual: readonly T[], id: (v: T) => string): Comparison {
  const want = new Map(expected.map((v) => [id(v), JSON.stringify(v)]));
  const seen = new Map<string, number>();
  let unexpected = 0;
  let different = 0;
  const examples: Comparison['examples'] = [];
  for (const v of actual) {
    const k = id(v);
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if ((seen.get(k) ?? 0) > 1) continue;
    const w = want.get(k);
    if (w === undefined) {
      unexpected++;
      if (examples.length < 3) examples.push({ actual: JSON.stringify(v) });
    } else if (w !== JSON.stringify(v)) {
      different++;
      if (examples.length < 3) examples.push({ expected: w, actual: JSON.stringify(v) });
    }
  }
  let lost = 0;
  for (const [k, w] of want) {
    if (seen.has(k)) continue;
    lost++;
    if (examples.length < 3) examples.push({ expected: w });
  }
  const duplicated = [...seen.values()].reduce((s, n) => s + n - 1, 0);
  return { expected: expected.length, actual: actual.length, lost, duplicated, unexpected, different, examples };
}
