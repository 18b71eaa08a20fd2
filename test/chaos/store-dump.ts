import type { ReadOnlyKeyValueStore, ReadOnlyWindowStore } from '../../src/streams/index.js';

/** A feature store's contents in a comparable form: sorted entries, values as JSON text. */
export interface StoreDump {
  cardState: Array<[string, string]>;
  /** `<card>@<window start>` → value, duplicates kept (the store retains them). */
  recent: Array<[string, string]>;
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

export async function dumpStores(cardState: ReadOnlyKeyValueStore<string, unknown>, recent: ReadOnlyWindowStore<string, unknown>): Promise<StoreDump> {
  const kv: Array<[string, string]> = [];
  for await (const { key, value } of cardState.all()) kv.push([key, JSON.stringify(value)]);
  const win: Array<[string, string]> = [];
  for await (const { key, value } of recent.all()) win.push([`${key.key}@${key.window.start}`, JSON.stringify(value)]);
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
