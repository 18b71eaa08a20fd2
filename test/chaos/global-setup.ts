import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { down, up } from '../../src/cluster/cluster.js';
import { projectRoot, runDir } from '../../src/cluster/paths.js';
import { describeTopology, type TopologyDescription } from '../../src/cluster/topology.js';
import { createLogger } from '../../src/log.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chaosBrokers: Record<string, string>;
    chaosPrimary: string;
    chaosRegistryUrl: string;
    /** The cluster's run directory: pid files, logs and data of its JVMs (the scenarios restart them). */
    chaosRunDir: string;
  }
}

const ports = (t: TopologyDescription): number[] => [...t.clusters.flatMap((c) => [c.port, c.controllerPort]), t.registry.port, t.registry.managementPort, t.registry.shimPort];

/**
 * The chaos scenarios restart brokers and MirrorMaker 2, so they get a
 * multi-region cluster of their own: its own run directory and ports shifted
 * away from both topologies the integration project starts at the same
 * VIGIL_PORT_OFFSET (its global setup's single cluster and multi-region.test.ts),
 * below the kernel's ephemeral range (32768+).
 */
export function chaosPortOffset(base = Number(process.env.VIGIL_PORT_OFFSET ?? 0)): number {
  const taken = new Set([...ports(describeTopology('single', base)), ...ports(describeTopology('multi-region', base))]);
  for (const shift of [-1_500, -2_500, -6_500, 1_500]) {
    const candidate = ports(describeTopology('multi-region', base + shift));
    if (candidate.every((p) => !taken.has(p) && p > 1024 && p < 32_768)) return base + shift;
  }
  throw new Error(`no port offset for the chaos cluster avoids the integration clusters at VIGIL_PORT_OFFSET=${base}`);
}

/** Runs `fn` with the cluster manager pointed at the chaos cluster (it reads both from the environment). */
async function withChaosEnv<T>(offset: number, runDir: string, fn: () => Promise<T>): Promise<T> {
  const saved = { offset: process.env.VIGIL_PORT_OFFSET, runDir: process.env.VIGIL_RUN_DIR };
  process.env.VIGIL_PORT_OFFSET = String(offset);
  process.env.VIGIL_RUN_DIR = runDir;
  try {
    return await fn();
  } finally {
    // Global setups run one after another, and test workers start after them: restoring here
    // keeps the integration project on its own ports.
    if (saved.offset === undefined) delete process.env.VIGIL_PORT_OFFSET;
    else process.env.VIGIL_PORT_OFFSET = saved.offset;
    if (saved.runDir === undefined) delete process.env.VIGIL_RUN_DIR;
    else process.env.VIGIL_RUN_DIR = saved.runDir;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('chaos-cluster', process.env.LOG_LEVEL ?? 'warn');
  const offset = chaosPortOffset();
  const base = join(projectRoot, '.vigil', 'chaos');
  mkdirSync(base, { recursive: true });
  const cluster = await withChaosEnv(offset, base, () => up({ topology: 'multi-region', log, ownerPid: process.pid, fresh: true }));
  project.provide('chaosBrokers', cluster.brokers);
  project.provide('chaosPrimary', cluster.primary);
  project.provide('chaosRegistryUrl', cluster.registryUrl);
  project.provide('chaosRunDir', await withChaosEnv(offset, base, async () => runDir('multi-region')));
  return async () => {
    await withChaosEnv(offset, base, () => down({ topology: 'multi-region', log }));
  };
}
