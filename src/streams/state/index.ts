// Public surface of the state package: contracts, the Stores factory and
// its suppliers/builders. Implementations stay in ./internal.
export type * from './types.js';
export {
  Stores,
  DEFAULT_CACHE_MAX_BYTES,
  KeyValueStoreBuilder,
  WindowStoreBuilder,
  SessionStoreBuilder,
} from './stores.js';
export type {
  KeyValueBytesStoreSupplier,
  WindowBytesStoreSupplier,
  SessionBytesStoreSupplier,
  BytesStore,
  BytesEntry,
  BytesRange,
  BytesWrite,
} from './stores.js';
