import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAdmin } from '../streams/kafka/index.js';
import type { Logger } from '../log.js';
import { serverProperties, log4j2Properties, mirrorMakerProperties, registryStorageSettings } from './config-files.js';
import { ClusterError } from './errors.js';
import { artifactPaths, ensureArtifacts, type Artifacts } from './fetch.js';
import { findJava } from './java.js';
import { isAlive, readPid, rssMiB, startJvm, stopJvm, type PidRecord } from './jvm-process.js';
import { projectRoot, runDir } from './paths.js';
import { brokerAnswers, portInUse, registryAnswers, topicExists, waitUntil } from './readiness.js';
import {
  bootstrapOf,
  confluentRegistryUrlOf,
  describeTopology,
  registryUrlOf,
  type KafkaClusterDescription,
  type TopologyDescription,
  type TopologyName,
} from './topology.js';

export interface UpOptions {
  topology: TopologyName;
  log: Logger;
  /** Bind the JVMs' lives to this pid (tests, `npm start`); omit for a daemon-style `vigil kafka up`. */
  ownerPid?: number;
  /** Wipe data from an earlier run before starting (tests want a clean broker). */
  fresh?: boolean;
  timeoutMs?: number;
}

export interface ClusterEndpoints {
  topology: TopologyName;
  /** Bootstrap address per cluster name. */
  brokers: Record<string, string>;
  /** Bootstrap of the cluster the engine uses (central, or the only one). */
  primary: string;
  registryUrl: string;
  /** The same registry behind the Confluent compatibility shim: give this one to Confluent's clients. */
  confluentRegistryUrl: string;
}

export interface UpResult extends ClusterEndpoints {
  /** False when every process was already running and was reused. */
  started: boolean;
  /** Milliseconds from spawn to readiness, per process started now. */
  readyMs: Record<string, number>;
}

export function endpointsOf(topology: TopologyDescription): ClusterEndpoints {
  const brokers = Object.fromEntries(topology.clusters.map((c) => [c.name, bootstrapOf(c)]));
  const primary = brokers[topology.primary];
  if (!primary) throw new Error(`topology ${topology.name} has no cluster named ${topology.primary}`);
  return { topology: topology.name, brokers, primary, registryUrl: registryUrlOf(topology), confluentRegistryUrl: confluentRegistryUrlOf(topology) };
}

/** The topology's processes, by the names of their pid files in its run directory. */
export function processNames(topology: TopologyDescription): string[] {
  return [
    ...topology.clusters.map((c) => `broker-${c.name}`),
    'registry',
    'registry-shim',
    ...(topology.mirrors.length ? ['mirror-maker'] : []),
  ];
}

function startTimeout(options: UpOptions): number {
  return options.timeoutMs ?? Number(process.env.VIGIL_START_TIMEOUT_MS ?? 120_000);
}

function brokerArgs(lib: string, dir: string, cluster: KafkaClusterDescription): string[] {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${join(dir, `logs-${cluster.name}`)}`,
    `-Dlog4j2.configurationFile=${join(dir, `log4j2-${cluster.name}.properties`)}`,
    '-cp',
    `${lib}/*`,
    'kafka.Kafka',
    join(dir, `server-${cluster.name}.properties`),
  ];
}

/** Writes the config and formats the KRaft storage once per data directory. */
function prepareBroker(javaBin: string, artifacts: Artifacts, dir: string, cluster: KafkaClusterDescription): void {
  const dataDir = join(dir, `data-${cluster.name}`);
  const props = join(dir, `server-${cluster.name}.properties`);
  writeFileSync(props, serverProperties(cluster, dataDir));
  writeFileSync(join(dir, `log4j2-${cluster.name}.properties`), log4j2Properties('server.log'));
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  // A fixed cluster id keeps re-formatting deterministic; each cluster has its own data dir.
  const clusterId = Buffer.from(`vigil-${cluster.name}`.padEnd(16, '-').slice(0, 16)).toString('base64url');
  const res = spawnSync(
    javaBin,
    ['-cp', `${artifacts.kafkaLib}/*`, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', props],
    { encoding: 'utf8' },
  );
  if (res.status !== 0) {
    throw new ClusterError('VIGIL_ERR_PROCESS_EXITED', `formatting ${dataDir} failed:\n${res.stdout}\n${res.stderr}`);
  }
}

/**
 * Brings a topology up: fetches artifacts if needed, starts every JVM in
 * parallel, waits for real readiness (admin round-trip, registry HTTP,
 * mirrored topics on the target) and creates the topics. Processes that
 * are already running from an earlier `up` are reused.
 */
export async function up(options: UpOptions): Promise<UpResult> {
  const topology = describeTopology(options.topology);
  const log = options.log;
  const dir = runDir(topology.name);
  const endpoints = endpointsOf(topology);
  const names = processNames(topology);
  const running = names.filter((n) => {
    const rec = readPid(dir, n);
    return rec !== undefined && isAlive(rec.pid);
  });
  if (running.length === names.length) {
    log.info({ topology: topology.name }, 'cluster already running; reusing it');
    return { ...endpoints, started: false, readyMs: {} };
  }
  if (running.length > 0) await down({ topology: topology.name, log });
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  await assertPortsFree(topology);
  const artifacts = await ensureArtifacts(log);
  const kafkaJava = findJava(17, `Kafka ${'4.1.2'}`);
  const registryJava = findJava(21, 'Apicurio Registry 3.3');
  const timeoutMs = startTimeout(options);
  const readyMs: Record<string, number> = {};

  try {
    const brokerWaits = topology.clusters.map((cluster) => {
      prepareBroker(kafkaJava.bin, artifacts, dir, cluster);
      const rec = startJvm({
        name: `broker-${cluster.name}`,
        command: kafkaJava.bin,
        args: brokerArgs(artifacts.kafkaLib, dir, cluster),
        runDir: dir,
        ownerPid: options.ownerPid,
      });
      const logs = [join(dir, `logs-${cluster.name}`, 'server.log'), join(dir, `broker-${cluster.name}.out`)];
      return waitUntil({ name: rec.name, pid: rec.pid, logs }, () => brokerAnswers(bootstrapOf(cluster)), timeoutMs).then(
        (ms) => {
          readyMs[rec.name] = ms;
          log.info({ cluster: cluster.name, bootstrap: bootstrapOf(cluster), ms }, 'broker ready');
        },
      );
    });

    await Promise.all(brokerWaits);
    // The registry keeps its schemas in a Kafka topic of the primary cluster
    // (kafkasql), so it starts once that broker answers, beside topic creation.
    const registryWait = startRegistry(topology, artifacts, registryJava.bin, dir, options, timeoutMs, readyMs);
    registryWait.catch(() => undefined); // awaited below; until then a failure must not count as unhandled
    await createTopics(topology);
    if (topology.mirrors.length) await startMirrorMaker(topology, artifacts, kafkaJava.bin, dir, options, timeoutMs, readyMs);
    await registryWait;
  } catch (err) {
    await down({ topology: topology.name, log });
    throw err;
  }
  return { ...endpoints, started: true, readyMs };
}

/**
 * Apicurio Registry with kafkasql storage: every change is a record in the
 * `kafkasql-journal` topic of the primary cluster, replayed on start, so ids
 * and versions survive a registry restart (in-memory H2, the bundle's
 * default, loses them). deploy/docker-compose.yml sets the same properties
 * (registryStorageSettings).
 */
export function registryArgs(topology: TopologyDescription, appDir: string): string[] {
  const primary = topology.clusters.find((c) => c.name === topology.primary);
  if (!primary) throw new Error(`topology ${topology.name} has no cluster named ${topology.primary}`);
  return [
    '-Xmx384m',
    `-Dquarkus.http.host=127.0.0.1`,
    `-Dquarkus.http.port=${topology.registry.port}`,
    `-Dquarkus.management.host=127.0.0.1`,
    `-Dquarkus.management.port=${topology.registry.managementPort}`,
    ...Object.entries(registryStorageSettings(bootstrapOf(primary))).map(([k, v]) => `-D${k}=${v}`),
    '-jar',
    join(appDir, 'quarkus-run.jar'),
  ];
}

async function startRegistry(
  topology: TopologyDescription,
  artifacts: Artifacts,
  javaBin: string,
  dir: string,
  options: UpOptions,
  timeoutMs: number,
  readyMs: Record<string, number>,
): Promise<void> {
  const url = registryUrlOf(topology);
  const rec = startJvm({ name: 'registry', command: javaBin, args: registryArgs(topology, artifacts.apicurioApp), runDir: dir, ownerPid: options.ownerPid });
  const ms = await waitUntil({ name: 'registry', pid: rec.pid, logs: [join(dir, 'registry.out')] }, () => registryAnswers(url), timeoutMs);
  readyMs.registry = ms;
  options.log.info({ url, ms, storage: 'kafkasql' }, 'schema registry ready');
  const running = readPid(dir, 'registry-shim');
  if (running !== undefined && isAlive(running.pid)) return; // a registry restart keeps the running shim
  const shimUrl = confluentRegistryUrlOf(topology);
  const shim = startJvm({
    name: 'registry-shim',
    command: process.execPath,
    args: [join(projectRoot, 'bin', 'vigil.js'), 'registry-shim', '--upstream', new URL(url).origin, '--port', String(topology.registry.shimPort)],
    runDir: dir,
    ownerPid: options.ownerPid,
  });
  readyMs['registry-shim'] = await waitUntil({ name: 'registry-shim', pid: shim.pid, logs: [join(dir, 'registry-shim.out')] }, () => registryAnswers(shimUrl), timeoutMs);
  options.log.info({ url: shimUrl }, 'Confluent compatibility shim ready');
}

/**
 * Stops the topology's registry and starts it again with the same settings,
 * for tests and operators; resolves when it answers again. With kafkasql
 * storage it comes back with every schema and id it had.
 */
export async function restartRegistry(options: { topology: TopologyName; log: Logger; timeoutMs?: number }): Promise<{ stopMs: number; readyMs: number }> {
  const topology = describeTopology(options.topology);
  const dir = runDir(topology.name);
  const previous = readPid(dir, 'registry');
  const started = Date.now();
  await stopJvm(dir, 'registry');
  const stopMs = Date.now() - started;
  const readyMs: Record<string, number> = {};
  const timeoutMs = options.timeoutMs ?? startTimeout({ topology: topology.name, log: options.log });
  const java = findJava(21, 'Apicurio Registry 3.3');
  await startRegistry(topology, artifactPaths(), java.bin, dir, { topology: topology.name, log: options.log, ownerPid: previous?.ownerPid }, timeoutMs, readyMs);
  return { stopMs, readyMs: readyMs.registry ?? 0 };
}

async function assertPortsFree(topology: TopologyDescription): Promise<void> {
  const ports = [
    ...topology.clusters.flatMap((c) => [c.port, c.controllerPort]),
    topology.registry.port,
    topology.registry.managementPort,
    topology.registry.shimPort,
  ];
  for (const port of ports) {
    if (await portInUse(port)) {
      throw new ClusterError(
        'VIGIL_ERR_PORT_IN_USE',
        `port ${port} on 127.0.0.1 is taken by a process Vigil did not start. Stop it, ` +
          `or run against an existing cluster with KAFKA_BROKERS and SCHEMA_REGISTRY_URL.`,
      );
    }
  }
}

async function createTopics(topology: TopologyDescription): Promise<void> {
  for (const cluster of topology.clusters) {
    const admin = await connectAdmin({ brokers: [bootstrapOf(cluster)] });
    try {
      await admin.createTopics(
        cluster.topics.map((t) => ({ topic: t.name, partitions: t.partitions, replicationFactor: 1, config: t.config })),
      );
    } finally {
      await admin.close();
    }
  }
}

/** The JVM arguments of a dedicated-mode MirrorMaker 2 that logs under `dir` (also used by bench/mirror). */
export function mirrorMakerArgs(dir: string, kafkaLib: string, propertiesFile: string, targets: readonly string[]): string[] {
  return [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseG1GC',
    `-Dkafka.logs.dir=${join(dir, 'logs-mm2')}`,
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2-mm2.properties')}`,
    '-cp',
    `${kafkaLib}/*`,
    'org.apache.kafka.connect.mirror.MirrorMaker',
    // The properties file must come before --clusters, which takes several values.
    propertiesFile,
    '--clusters',
    ...targets,
  ];
}

/**
 * Restarts a running topology's MirrorMaker 2 with `extraTopics` (MM2 topic
 * regexes) mirrored beside the described ones on every flow, and waits until
 * it mirrors again. bench/latency's multi-region mode mirrors its session
 * topics this way; called without extra topics it puts the shipped
 * configuration back.
 */
export async function restartMirrorMaker(options: UpOptions & { extraTopics?: readonly string[] }): Promise<void> {
  const topology = describeTopology(options.topology);
  if (!topology.mirrors.length) throw new ClusterError('VIGIL_ERR_NO_MIRROR', `topology ${topology.name} has no MirrorMaker 2; use --topology multi-region`);
  const dir = runDir(topology.name);
  await stopJvm(dir, 'mirror-maker');
  const artifacts = await ensureArtifacts(options.log);
  const java = findJava(17, 'MirrorMaker 2');
  await startMirrorMaker(topology, artifacts, java.bin, dir, options, startTimeout(options), {}, options.extraTopics ?? []);
}

async function startMirrorMaker(
  topology: TopologyDescription,
  artifacts: Artifacts,
  javaBin: string,
  dir: string,
  options: UpOptions,
  timeoutMs: number,
  readyMs: Record<string, number>,
  extraTopics: readonly string[] = [],
): Promise<void> {
  const props = join(dir, 'mm2.properties');
  const mirrors = topology.mirrors.map((m) => ({ ...m, topics: [...m.topics, ...extraTopics] }));
  writeFileSync(props, mirrorMakerProperties({ ...topology, mirrors }));
  writeFileSync(join(dir, 'log4j2-mm2.properties'), log4j2Properties('mirror-maker.log'));
  const targets = [...new Set(topology.mirrors.map((m) => m.target))];
  const rec = startJvm({
    name: 'mirror-maker',
    command: javaBin,
    args: mirrorMakerArgs(dir, artifacts.kafkaLib, props, targets),
    runDir: dir,
    ownerPid: options.ownerPid,
  });
  const central = topology.clusters.find((c) => c.name === topology.primary);
  if (!central) throw new Error('no primary cluster');
  const mirrored = topology.mirrors.flatMap((m) => m.topics.map((t) => `${m.source}.${t}`));
  const ms = await waitUntil(
    { name: 'mirror-maker', pid: rec.pid, logs: [join(dir, 'logs-mm2', 'mirror-maker.log'), join(dir, 'mirror-maker.out')] },
    async () => {
      for (const topic of mirrored) if (!(await topicExists(bootstrapOf(central), topic))) return false;
      return true;
    },
    timeoutMs,
  );
  readyMs['mirror-maker'] = ms;
  options.log.info({ mirrored, ms }, 'MirrorMaker 2 ready');
}

/** Stops every process of the topology (MirrorMaker first, brokers last). */
export async function down(options: { topology: TopologyName; log: Logger }): Promise<string[]> {
  const topology = describeTopology(options.topology);
  const dir = runDir(topology.name);
  const stopped: string[] = [];
  const order = processNames(topology).reverse();
  const stopOne = async (name: string) => {
    if (await stopJvm(dir, name)) stopped.push(name);
  };
  // MirrorMaker and the registry hold client connections to the brokers: stop them first.
  await Promise.all(order.filter((n) => !n.startsWith('broker-')).map(stopOne));
  await Promise.all(order.filter((n) => n.startsWith('broker-')).map(stopOne));
  // Clean up pid files of processes that had already died.
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.pid')) rmSync(join(dir, f), { force: true });
  if (stopped.length) options.log.info({ topology: topology.name, stopped }, 'cluster stopped');
  return stopped;
}

export interface ProcessStatus extends Partial<PidRecord> {
  name: string;
  running: boolean;
  rssMiB?: number;
}

export function status(topologyName: TopologyName): { endpoints: ClusterEndpoints; processes: ProcessStatus[] } {
  const topology = describeTopology(topologyName);
  const dir = runDir(topology.name);
  const processes = processNames(topology).map((name): ProcessStatus => {
    const rec = readPid(dir, name);
    const running = rec !== undefined && isAlive(rec.pid);
    return { ...rec, name, running, rssMiB: running && rec ? rssMiB(rec.pid) : undefined };
  });
  return { endpoints: endpointsOf(topology), processes };
}
