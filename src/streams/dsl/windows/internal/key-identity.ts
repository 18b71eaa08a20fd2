/**
 * A string that is equal for equal keys, for the in-memory buffers that
 * must find "the same key" again (suppression, outer-join bookkeeping).
 * Primitive keys map to themselves; Buffers to hex; other values to JSON,
 * which is why keys of those buffers must be JSON-like data, not class
 * instances with hidden state.
 */
export function keyIdentity(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return `s${key}`;
    case 'number':
      return `n${key}`;
    case 'bigint':
      return `b${key}`;
    case 'boolean':
      return `t${key}`;
    default:
      if (key === null || key === undefined) return 'z';
      if (Buffer.isBuffer(key)) return `x${key.toString('hex')}`;
      return `j${JSON.stringify(key)}`;
  }
}
