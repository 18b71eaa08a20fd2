import type { KafkaClusterDescription, TopologyDescription } from './topology.js';

/** Java .properties text from ordered pairs; comments explain non-defaults. */
function properties(entries: Array<[string, string | number | boolean]>): string {
  return entries.map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

/**
 * Settings every Vigil broker shares, wherever it runs: single-node
 * replication for internal topics and small buffers for a 2-core laptop.
 */
export function sharedBrokerSettings(): Array<[string, string | number | boolean]> {
  return [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.listener.names', 'CONTROLLER'],
    ['auto.create.topics.enable', false],
    ['num.partitions', 1],
    // The default of 50 offsets partitions makes the first consumer group slow to start.
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['group.initial.rebalance.delay.ms', 0],
    // The cleaner's 128 MB default dedupe buffer sits on a 512 MB heap.
    ['log.cleaner.dedupe.buffer.size', 16 * 1024 * 1024],
    ['num.network.threads', 2],
    ['num.io.threads', 2],
  ];
}

/** A single-node KRaft cluster (broker and controller in one JVM) on 127.0.0.1. */
export function serverProperties(cluster: KafkaClusterDescription, dataDir: string): string {
  return properties([
    ...sharedBrokerSettings(),
    ['controller.quorum.bootstrap.servers', `127.0.0.1:${cluster.controllerPort}`],
    ['listeners', `PLAINTEXT://127.0.0.1:${cluster.port},CONTROLLER://127.0.0.1:${cluster.controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${cluster.port},CONTROLLER://127.0.0.1:${cluster.controllerPort}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['log.dirs', dataDir],
  ]);
}

/** log4j2 writing everything to `${kafka.logs.dir}/<file>`; nothing on the console. */
export function log4j2Properties(file: string): string {
  return properties([
    ['status', 'warn'],
    ['appender.file.type', 'File'],
    ['appender.file.name', 'FILE'],
    ['appender.file.fileName', `\${sys:kafka.logs.dir}/${file}`],
    ['appender.file.layout.type', 'PatternLayout'],
    ['appender.file.layout.pattern', '[%d] %p %m (%c)%n'],
    ['rootLogger.level', 'INFO'],
    ['rootLogger.appenderRef.file.ref', 'FILE'],
    ['logger.kafka.name', 'kafka'],
    ['logger.kafka.level', 'INFO'],
    ['logger.reflections.name', 'org.reflections'],
    ['logger.reflections.level', 'ERROR'],
  ]);
}

/**
 * MirrorMaker 2 in dedicated mode. Every internal topic gets replication
 * factor 1 (the defaults of 2–3 fail on single-broker clusters), topics are
 * rediscovered every few seconds instead of every 10 minutes, and the
 * client settings favour latency: the fraud budget is 100 ms end to end.
 */
export function mirrorMakerProperties(
  topology: TopologyDescription,
  bootstrapOf: (cluster: KafkaClusterDescription) => string = (c) => `127.0.0.1:${c.port}`,
): string {
  const entries: Array<[string, string | number | boolean]> = [
    ['clusters', topology.clusters.map((c) => c.name).join(', ')],
  ];
  for (const c of topology.clusters) entries.push([`${c.name}.bootstrap.servers`, bootstrapOf(c)]);
  for (const flow of topology.mirrors) {
    entries.push([`${flow.source}->${flow.target}.enabled`, true]);
    entries.push([`${flow.source}->${flow.target}.topics`, flow.topics.join(',')]);
  }
  for (const key of [
    'replication.factor',
    'checkpoints.topic.replication.factor',
    'heartbeats.topic.replication.factor',
    'offset-syncs.topic.replication.factor',
    'offset.storage.replication.factor',
    'status.storage.replication.factor',
    'config.storage.replication.factor',
  ]) {
    entries.push([key, 1]);
  }
  entries.push(
    ['tasks.max', 1],
    ['refresh.topics.interval.seconds', 5],
    ['refresh.groups.interval.seconds', 10],
    ['emit.heartbeats.enabled', false],
    ['sync.group.offsets.enabled', true],
    ['sync.topic.acls.enabled', false],
    ['offset.flush.interval.ms', 5000],
  );
  // Latency, measured with bench/mirror (docs/multi-region.md): source
  // consumers return as soon as one record is there (fetch.min.bytes 1; the
  // broker answers a waiting fetch the moment data arrives, so the wait bound
  // only matters when idle). A 10 ms bound measured worse at p99 on the busy
  // 2-core machine than 100 or 500 ms, presumably because idle fetches then
  // come back 100 times a second per source and compete for the CPU. The
  // producers into the target send without lingering (Kafka 4's default
  // linger of 5 ms measured worse).
  for (const flow of topology.mirrors) {
    entries.push([`${flow.source}.consumer.fetch.max.wait.ms`, 500]);
    entries.push([`${flow.source}.consumer.fetch.min.bytes`, 1]);
  }
  for (const target of new Set(topology.mirrors.map((f) => f.target))) {
    entries.push([`${target}.producer.linger.ms`, 0]);
    entries.push([`${target}.producer.acks`, 'all']);
  }
  return properties(entries);
}

/**
 * Apicurio Registry's storage: kafkasql, a journal topic (`kafkasql-journal`)
 * on the cluster at `bootstrap`, replayed into the registry's in-memory
 * store on every start. Property names are those of Apicurio 3.3.3's
 * application.properties and KafkaSqlConfiguration. The registry creates
 * its topics with the broker's defaults (one partition, replication factor
 * 1 on our single-node clusters); passing `apicurio.kafkasql.topic.
 * replication.factor` is documented but 3.3.3 forwards it to the broker as a
 * topic config, which Kafka refuses ("Unknown topic config name").
 */
export function registryStorageSettings(bootstrap: string): { [key: string]: string } {
  return {
    'apicurio.storage.kind': 'kafkasql',
    'apicurio.kafkasql.bootstrap.servers': bootstrap,
    // On start the registry polls the (empty) snapshots topic twice with this
    // timeout before it replays the journal; the default of 5000 ms made start
    // 10 s slower than in-memory storage. Also the journal consumer's idle poll.
    'apicurio.kafkasql.consumer.poll.timeout': '1000',
  };
}
