import type { Window, Windowed } from '../../../state/types.js';
import { windowOf } from '../window.js';

/** An immutable windowed key, as the windowed KTables forward it. */
export function windowedKey<K>(key: K, window: Window): Windowed<K> {
  return Object.freeze({ key, window: Object.isFrozen(window) ? window : windowOf(window.start, window.end) });
}
