import { mirrorMakerProperties, registryStorageSettings, sharedBrokerSettings } from './config-files.js';
import { prometheusConfig } from './prometheus.js';
import { describeTopology, type KafkaClusterDescription, type TopologyDescription } from './topology.js';
import { toYaml, type YamlValue } from './yaml.js';

/**
 * deploy/docker-compose.yml and the files it mounts, generated from the same
 * topology description and broker settings the local cluster manager uses,
 * so the two cannot drift (a test compares the committed files with this).
 */

// Official images, pinned.
export const IMAGES = {
  kafka: 'apache/kafka:4.1.2',
  registry: 'apicurio/apicurio-registry:3.3.3',
  prometheus: 'prom/prometheus:v2.53.5',
  grafana: 'grafana/grafana:11.6.3',
} as const;

const INTERNAL_PORT = 9092;
const CONTROLLER_PORT = 9093;
const REGISTRY_PORT = 8080;
const SHIM_PORT = 8083;
export const METRICS_PORTS = { engine: 9464, dispatcher: 9465, dashboard: 8088 } as const;

/**
 * Where a compose file sits. The same services are written twice: in deploy/
 * beside the files they mount, and at the top level for `docker compose up`
 * from a fresh clone; only the relative paths differ.
 */
interface ComposeLocation {
  readonly file: string;
  /** deploy/ as seen from the compose file. */
  readonly deployDir: string;
  /** The repository root (the image's build context) as seen from the compose file. */
  readonly repoRoot: string;
}

export const COMPOSE_LOCATIONS: readonly ComposeLocation[] = [
  { file: 'deploy/docker-compose.yml', deployDir: '.', repoRoot: '..' },
  { file: 'docker-compose.yml', deployDir: './deploy', repoRoot: '.' },
];

const serviceOf = (cluster: KafkaClusterDescription) => `kafka-${cluster.name}`;
const internalBootstrap = (cluster: KafkaClusterDescription) => `${serviceOf(cluster)}:${INTERNAL_PORT}`;

/** The apache/kafka image turns KAFKA_A_B into a.b (and `_` into `__`, `-` into `___`). */
function kafkaEnv(name: string): string {
  return 'KAFKA_' + name.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase();
}

function brokerService(cluster: KafkaClusterDescription): YamlValue {
  const svc = serviceOf(cluster);
  const settings: Array<[string, string | number | boolean]> = [
    ...sharedBrokerSettings(),
    ['controller.quorum.voters', `1@${svc}:${CONTROLLER_PORT}`],
    ['listeners', `INTERNAL://:${INTERNAL_PORT},EXTERNAL://:${cluster.port},CONTROLLER://:${CONTROLLER_PORT}`],
    ['advertised.listeners', `INTERNAL://${svc}:${INTERNAL_PORT},EXTERNAL://127.0.0.1:${cluster.port}`],
    ['listener.security.protocol.map', 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['log.dirs', '/var/lib/kafka/data'],
  ];
  const environment: { [k: string]: string } = {
    CLUSTER_ID: Buffer.from(`vigil-${cluster.name}`.padEnd(16, '-').slice(0, 16)).toString('base64url'),
    KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
  };
  for (const [k, v] of settings) environment[kafkaEnv(k)] = String(v);
  return {
    image: IMAGES.kafka,
    hostname: svc,
    ports: [`${cluster.port}:${cluster.port}`],
    environment,
    healthcheck: {
      test: ['CMD-SHELL', `/opt/kafka/bin/kafka-topics.sh --bootstrap-server 127.0.0.1:${INTERNAL_PORT} --list`],
      interval: '5s',
      timeout: '10s',
      retries: 30,
    },
  };
}

function topicInitCommand(topology: TopologyDescription): string {
  return topology.clusters
    .flatMap((c) =>
      c.topics.map((t) => {
        const config = Object.entries(t.config ?? {})
          .map(([k, v]) => ` --config ${k}=${v}`)
          .join('');
        return `/opt/kafka/bin/kafka-topics.sh --bootstrap-server ${internalBootstrap(c)} --create --if-not-exists --topic ${t.name} --partitions ${t.partitions}${config}`;
      }),
    )
    .join(' && ');
}

function vigilService(at: ComposeLocation, command: string, port: number, topology: TopologyDescription): YamlValue {
  const primary = topology.clusters.find((c) => c.name === topology.primary)!;
  return {
    build: { context: at.repoRoot, dockerfile: 'deploy/Dockerfile' },
    image: 'vigil:dev',
    command: ['node', 'bin/vigil.js', command],
    environment: {
      KAFKA_BROKERS: internalBootstrap(primary),
      SCHEMA_REGISTRY_URL: `http://apicurio:${REGISTRY_PORT}/apis/ccompat/v7`,
      VIGIL_METRICS_PORT: String(port),
      LOG_LEVEL: 'info',
    },
    ports: [`${port}:${port}`],
    depends_on: { 'topic-init': { condition: 'service_completed_successfully' }, apicurio: { condition: 'service_started' } },
  };
}

function composeFile(at: ComposeLocation, topology: TopologyDescription, header: string): string {
  const services: { [name: string]: YamlValue } = {};
  for (const c of topology.clusters) services[serviceOf(c)] = brokerService(c);
  const healthy = Object.fromEntries(topology.clusters.map((c) => [serviceOf(c), { condition: 'service_healthy' }]));
  services['topic-init'] = {
    image: IMAGES.kafka,
    command: ['sh', '-c', topicInitCommand(topology)],
    depends_on: healthy,
  };
  if (topology.mirrors.length) {
    const targets = [...new Set(topology.mirrors.map((m) => m.target))];
    services['mirror-maker'] = {
      image: IMAGES.kafka,
      command: ['/opt/kafka/bin/connect-mirror-maker.sh', '/etc/vigil/mm2.properties', '--clusters', ...targets],
      environment: { KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m' },
      volumes: [`${at.deployDir}/mirror-maker/mm2.properties:/etc/vigil/mm2.properties:ro`],
      depends_on: { 'topic-init': { condition: 'service_completed_successfully' } },
    };
  }
  const primary = topology.clusters.find((c) => c.name === topology.primary)!;
  services.apicurio = {
    image: IMAGES.registry,
    ports: [`${topology.registry.port}:${REGISTRY_PORT}`],
    // The same kafkasql storage the local cluster manager passes as -D flags,
    // as Quarkus environment variables (apicurio.storage.kind → APICURIO_STORAGE_KIND).
    environment: Object.fromEntries(
      Object.entries(registryStorageSettings(internalBootstrap(primary))).map(([k, v]) => [k.toUpperCase().replace(/[.-]/g, '_'), v]),
    ),
    depends_on: { [serviceOf(primary)]: { condition: 'service_healthy' } },
  };
  // Confluent's own Protobuf clients need the compatibility shim (docs/schema-registry.md).
  services['registry-shim'] = {
    build: { context: at.repoRoot, dockerfile: 'deploy/Dockerfile' },
    image: 'vigil:dev',
    command: ['node', 'bin/vigil.js', 'registry-shim', '--upstream', `http://apicurio:${REGISTRY_PORT}`, '--host', '0.0.0.0', '--port', String(SHIM_PORT)],
    ports: [`${topology.registry.shimPort}:${SHIM_PORT}`],
    depends_on: { apicurio: { condition: 'service_started' } },
  };
  services['vigil-engine'] = vigilService(at, 'engine', METRICS_PORTS.engine, topology);
  services['vigil-dispatcher'] = vigilService(at, 'dispatch', METRICS_PORTS.dispatcher, topology);
  services['vigil-dashboard'] = vigilService(at, 'dashboard', METRICS_PORTS.dashboard, topology);
  services.prometheus = {
    image: IMAGES.prometheus,
    volumes: [`${at.deployDir}/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro`],
    ports: ['9090:9090'],
    depends_on: ['vigil-engine', 'vigil-dispatcher'],
  };
  services.grafana = {
    image: IMAGES.grafana,
    environment: { GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' },
    volumes: [`${at.deployDir}/grafana/provisioning:/etc/grafana/provisioning:ro`, `${at.deployDir}/grafana/dashboards:/var/lib/grafana/dashboards:ro`],
    ports: ['3000:3000'],
    depends_on: ['prometheus'],
  };
  return toYaml({ services }, header);
}

export function renderCompose(topology = describeTopology('multi-region', 0)): { [path: string]: string } {
  const header = '# Generated by `npm run deploy:generate` from src/cluster/topology.ts; do not edit by hand.\n';
  return {
    ...Object.fromEntries(COMPOSE_LOCATIONS.map((at) => [at.file, composeFile(at, topology, header)])),
    'deploy/mirror-maker/mm2.properties': header + mirrorMakerProperties(topology, internalBootstrap),
    'deploy/prometheus/prometheus.yml':
      header +
      prometheusConfig(
        {
          'vigil-engine': [`vigil-engine:${METRICS_PORTS.engine}`],
          'vigil-dispatcher': [`vigil-dispatcher:${METRICS_PORTS.dispatcher}`],
        },
        5,
      ),
    'deploy/grafana/provisioning/datasources/prometheus.yml':
      header +
      toYaml({
        apiVersion: 1,
        datasources: [{ name: 'Prometheus', uid: 'prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true }],
      }),
    'deploy/grafana/provisioning/dashboards/vigil.yml':
      header +
      toYaml({
        apiVersion: 1,
        providers: [{ name: 'vigil', type: 'file', options: { path: '/var/lib/grafana/dashboards' } }],
      }),
  };
}
