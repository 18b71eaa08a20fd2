import type { CardRecord } from '../../src/fraud/features/card-record.js';
import type { ReadOnlyKeyValueStore } from '../../src/streams/index.js';

/** The card store's contents in a comparable form: sorted entries, values as JSON text. */
export interface StoreDump {
  /** card → its running statistics. */
  cardState: Array<[string, string]>;
  /** `<card>@<event time>` → its 24-hour history entries, duplicates kept. */
  recent: Array<[string, string]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/**
 * What the features depend on, per card: the statistics and the history of
 * the last 24 hours before the newest transaction of all. (The ids kept for
 * dedupe are left out: they carry source offsets, which differ between the
 * engine's partitions and the driver's one. Older history entries are left
 * out too: each task prunes them on its own clock.)
 */
export async function dumpStores(cards: ReadOnlyKeyValueStore<string, CardRecord>): Promise<StoreDump> {
  const kv: Array<[string, string]> = [];
  const all: Array<{ card: string; eventTimeMs: number; json: string }> = [];
  for await (const { key, value } of cards.all()) {
    if (value.state !== undefined) kv.push([key, JSON.stringify(value.state)]);
    for (const r of value.recent) all.push({ card: key, eventTimeMs: r.eventTimeMs, json: JSON.stringify(r) });
  }
  const newest = all.reduce((m, r) => Math.max(m, r.eventTimeMs), 0);
  const win = all.filter((r) => r.eventTimeMs > newest - DAY_MS).map((r): [string, string] => [`${r.card}@${r.eventTimeMs}`, r.json]);
  return { cardState: kv.sort(byKey), recent: win.sort(byKey) };
}

/** Entries that differ between two dumps of one store (by key and value), with up to three examples. */
export function diffEntries(expected: Array<[string, string]>, actual: Array<[string, string]>): { missing: number; extra: number; examples: string[] } {
  const count = (list: Array<[string, string]>) => {
    const m = new Map<string, number>();
    for (const [k, v] of list) m.set(`${k} = ${v}`, (m.get(`${k} = ${v}`) ?? 0) + 1);
    return m;
  };
  const want = count(expected);
  const got = count(actual);
  let missing = 0;
  let extra = 0;
  const examples: string[] = [];
  for (const [e, n] of want) {
    const d = n - (got.get(e) ?? 0);
    if (d > 0) {
      missing += d;
      if (examples.length < 3) examples.push(`missing ${e}`);
    }
  }
  for (const [e, n] of got) {
    const d = n - (want.get(e) ?? 0);
    if (d > 0) {
      extra += d;
      if (examples.length < 6) examples.push(`extra ${e}`);
    }
  }
  return { missing, extra, examples };
}
