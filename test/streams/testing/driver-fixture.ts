import { onTestFinished } from 'vitest';
import type { StreamsConfigInput } from '../../../src/streams/config.js';
import type { Topology } from '../../../src/streams/processor/topology.js';
import { TopologyTestDriver } from '../../../src/streams/testing/topology-test-driver.js';
import type { TopologyTestDriverOptions } from '../../../src/streams/testing/topology-test-driver.js';

/** A driver closed (and its state dir removed) when the current test finishes. */
export function openDriver(
  topology: Topology,
  config: Partial<StreamsConfigInput> = {},
  options: TopologyTestDriverOptions = {},
): TopologyTestDriver {
  const driver = new TopologyTestDriver(topology, { applicationId: 'app', ...config }, options);
  onTestFinished(() => driver.close());
  return driver;
}
