/**
 * Merges the cache's view of a range with the inner store's. Both sides
 * arrive in the same key order; on equal keys the cache wins, and a cached
 * deletion (null) hides the inner entry, so a range read through the cache
 * sees exactly what the inner store will hold after the next flush.
 */
import type { BytesEntry } from './bytes-store.js';

export async function* mergeCacheWithInner(
  cache: Iterator<[Buffer, Buffer | null]>,
  inner: AsyncIterator<BytesEntry>,
  reverse: boolean,
): AsyncGenerator<BytesEntry> {
  try {
    let c = cache.next();
    let i = await inner.next();
    while (c.done !== true || i.done !== true) {
      let order: number;
      if (c.done === true) order = 1;
      else if (i.done === true) order = -1;
      else order = Buffer.compare(c.value[0], i.value.key) * (reverse ? -1 : 1);
      if (order <= 0) {
        const [key, value] = c.value as [Buffer, Buffer | null];
        if (order === 0) i = await inner.next();
        c = cache.next();
        if (value !== null) yield { key, value };
      } else {
        yield i.value as BytesEntry;
        i = await inner.next();
      }
    }
  } finally {
    await inner.return?.();
  }
}
