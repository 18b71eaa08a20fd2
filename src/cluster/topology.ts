/**
 * The one description of Vigil's local deployments. The cluster manager
 * starts exactly this; deploy/docker-compose.yml is to be generated from,
 * or checked against, the same data.
 */

export interface TopicDescription {
  name: string;
  partitions: number;
  config?: { [key: string]: string };
}

export interface KafkaClusterDescription {
  /** Also the MirrorMaker 2 alias, so mirrored topics are `<name>.<topic>`. */
  name: string;
  port: number;
  controllerPort: number;
  topics: TopicDescription[];
}

export interface MirrorFlow {
  source: string;
  target: string;
  topics: string[];
}

export interface TopologyDescription {
  name: TopologyName;
  clusters: KafkaClusterDescription[];
  /** The cluster the engine runs against. */
  primary: string;
  mirrors: MirrorFlow[];
  /**
   * Apicurio's HTTP and management ports, and the port of the Confluent
   * compatibility shim in front of it (src/registry/ccompat-shim.ts).
   */
  registry: { port: number; managementPort: number; shimPort: number };
}

export const TOPOLOGY_NAMES = ['single', 'multi-region'] as const;
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

const compacted = { 'cleanup.policy': 'compact' };
/**
 * Transactions are stamped by the broker on append: the replay writes event
 * times in the value, and the record timestamp then says when the
 * transaction landed in Kafka. The engine carries that timestamp to the
 * alert record, so the dispatcher and the dashboard measure append → alert.
 * MirrorMaker 2 does not copy `message.timestamp.type` (its default config
 * filter excludes it), so a mirrored record keeps its regional append time.
 */
const appendTimed = { 'message.timestamp.type': 'LogAppendTime' };

/** Topics of the central (or only) cluster, where the engine runs. */
const centralTopics: TopicDescription[] = [
  { name: 'transactions', partitions: 4, config: appendTimed },
  { name: 'user-profiles', partitions: 4, config: compacted },
  { name: 'alerts', partitions: 4 },
  { name: 'transactions.dlq', partitions: 1 },
  { name: 'alerts.webhook-dlq', partitions: 1 },
];

export const REGIONS = ['us-east', 'us-west'] as const;

// Ports differ between topologies so a test run's single cluster and a
// multi-region demo can run side by side.
const topologies: Record<TopologyName, TopologyDescription> = {
  single: {
    name: 'single',
    primary: 'local',
    clusters: [{ name: 'local', port: 19092, controllerPort: 19093, topics: centralTopics }],
    mirrors: [],
    registry: { port: 18081, managementPort: 18082, shimPort: 18083 },
  },
  'multi-region': {
    name: 'multi-region',
    primary: 'central',
    clusters: [
      { name: 'central', port: 29092, controllerPort: 29093, topics: centralTopics },
      { name: 'us-east', port: 29192, controllerPort: 29193, topics: [{ name: 'transactions', partitions: 4, config: appendTimed }] },
      { name: 'us-west', port: 29292, controllerPort: 29293, topics: [{ name: 'transactions', partitions: 4, config: appendTimed }] },
    ],
    mirrors: REGIONS.map((region) => ({ source: region, target: 'central', topics: ['transactions'] })),
    registry: { port: 28081, managementPort: 28082, shimPort: 28083 },
  },
};

/**
 * The topology, with every port shifted by VIGIL_PORT_OFFSET (default 0) so
 * two checkouts can run their clusters side by side.
 */
export function describeTopology(name: TopologyName, portOffset = Number(process.env.VIGIL_PORT_OFFSET ?? 0)): TopologyDescription {
  const t = topologies[name];
  if (!Number.isInteger(portOffset) || portOffset === 0) return t;
  return {
    ...t,
    clusters: t.clusters.map((c) => ({ ...c, port: c.port + portOffset, controllerPort: c.controllerPort + portOffset })),
    registry: {
      port: t.registry.port + portOffset,
      managementPort: t.registry.managementPort + portOffset,
      shimPort: t.registry.shimPort + portOffset,
    },
  };
}

export function isTopologyName(value: string): value is TopologyName {
  return (TOPOLOGY_NAMES as readonly string[]).includes(value);
}

export function bootstrapOf(cluster: KafkaClusterDescription): string {
  return `127.0.0.1:${cluster.port}`;
}

export function registryUrlOf(topology: TopologyDescription): string {
  return `http://127.0.0.1:${topology.registry.port}/apis/ccompat/v7`;
}

/** The Confluent compatibility shim's base URL: what Confluent's own clients should be given. */
export function confluentRegistryUrlOf(topology: TopologyDescription): string {
  return `http://127.0.0.1:${topology.registry.shimPort}/apis/ccompat/v7`;
}
