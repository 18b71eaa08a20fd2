// Runs the store conformance suite against every store stack the Stores
// builders can make.
import { stackFactory, storeConformanceSuite } from './store-conformance.js';

storeConformanceSuite({ name: 'in-memory', factory: stackFactory({ persistent: false, cached: false, logged: false }) });
storeConformanceSuite({ name: 'in-memory + logging', factory: stackFactory({ persistent: false, cached: false, logged: true }) });
storeConformanceSuite({ name: 'in-memory + cache + logging', factory: stackFactory({ persistent: false, cached: true, logged: true }) });
storeConformanceSuite({ name: 'LevelDB', factory: stackFactory({ persistent: true, cached: false, logged: false }) });
storeConformanceSuite({ name: 'LevelDB + logging', factory: stackFactory({ persistent: true, cached: false, logged: true }) });
storeConformanceSuite({ name: 'LevelDB + cache', factory: stackFactory({ persistent: true, cached: true, logged: false }) });
storeConformanceSuite({ name: 'LevelDB + cache + logging', factory: stackFactory({ persistent: true, cached: true, logged: true }) });
// A cache too small for the test data: every write goes through eviction.
storeConformanceSuite({
  name: 'LevelDB + tiny cache + logging',
  factory: stackFactory({ persistent: true, cached: true, logged: true, cacheMaxBytes: 200 }),
});
