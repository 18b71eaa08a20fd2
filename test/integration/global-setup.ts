import type { TestProject } from 'vitest/node';
import { join } from 'node:path';
import { down, up } from '../../src/cluster/cluster.js';
import { projectRoot } from '../../src/cluster/paths.js';
import { createLogger } from '../../src/log.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
    /** The registry behind the Confluent compatibility shim (the same registry when external). */
    confluentRegistryUrl: string;
  }
}

/**
 * Starts the single-broker topology once per test run, or uses the cluster
 * named by KAFKA_BROKERS / SCHEMA_REGISTRY_URL. JVMs are bound to this
 * process: if vitest dies, a watchdog stops them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The tests' clusters keep their data apart from the demo's (.vigil/cluster):
  // `npm start` after `npm test` must not show the tests' alerts. Test workers
  // start after this and inherit it (multi-region.test.ts starts its own cluster).
  process.env.VIGIL_RUN_DIR ??= join(projectRoot, '.vigil', 'test');
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    const registry = process.env.SCHEMA_REGISTRY_URL;
    if (!registry) throw new Error('KAFKA_BROKERS is set but SCHEMA_REGISTRY_URL is not; set both to use an existing cluster.');
    project.provide('kafkaBrokers', external);
    project.provide('schemaRegistryUrl', registry);
    project.provide('confluentRegistryUrl', process.env.CONFLUENT_SCHEMA_REGISTRY_URL ?? registry);
    return async () => {};
  }
  const log = createLogger('test-cluster', process.env.LOG_LEVEL ?? 'warn');
  const cluster = await up({ topology: 'single', log, ownerPid: process.pid, fresh: true });
  project.provide('kafkaBrokers', cluster.primary);
  project.provide('schemaRegistryUrl', cluster.registryUrl);
  project.provide('confluentRegistryUrl', cluster.confluentRegistryUrl);
  return async () => {
    if (cluster.started) await down({ topology: 'single', log });
  };
}
