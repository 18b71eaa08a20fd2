import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs nothing but Node (the engine runs on the
// broker-free TopologyTestDriver); `integration` runs against real JVMs that
// the global setup starts once per run (or finds through KAFKA_BROKERS);
// `chaos` (docs/RELIABILITY.md) kills and restarts parts of its own cluster.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/chaos/**', 'test/**/*.integration.test.ts', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          // Examples keep their broker tests beside their unit tests (test/examples/<name>/).
          include: ['test/integration/**/*.test.ts', 'test/**/*.integration.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One broker on two cores: files run one after another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          // Its own multi-region cluster (ports apart from the integration project's):
          // the scenarios kill and restart brokers and MirrorMaker 2.
          globalSetup: ['test/chaos/global-setup.ts'],
          fileParallelism: false,
          // After unit and integration: the kill points and outages are timed, so they
          // should not share two cores with another project's tests.
          sequence: { groupOrder: 1 },
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
