/**
 * Starting and stopping the processes under test: Vigil and the ceiling as
 * Node children (`node --import tsx`), the Kafka Streams reference as a JVM
 * (built with Maven on first use). Each gets its own process, so /proc gives
 * its own CPU time and RSS; its output goes to a log file, not the console.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_LINE, type SutConfig } from './systems.js';

const here = dirname(fileURLToPath(import.meta.url));
export const KSTREAMS_DIR = join(here, '..', 'kstreams');

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the child printed READY_LINE; rejects if it exits first or after `timeoutMs`. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

function watchChild(name: string, child: ChildProcess, logFile: string, timeoutMs = 180_000): Child {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms (log: ${logFile})`)), timeoutMs);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered = (buffered + chunk.toString()).slice(-4096);
      if (buffered.split('\n').some((l) => l.trim() === READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready (log: ${logFile})`));
    });
  });
  ready.catch(() => undefined);
  return {
    name,
    process: child,
    pid: child.pid as number,
    ready,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(killer);
      log.end();
    },
  };
}

export function startNodeChild(name: string, file: string, config: SutConfig, logFile: string, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(here, file), JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  return watchChild(name, child, logFile);
}

/** Newest modification time (ms) of the reference's sources and pom. */
function newestSource(): number {
  const dir = join(KSTREAMS_DIR, 'src', 'main', 'java', 'dev', 'vigil', 'bench');
  return Math.max(statSync(join(KSTREAMS_DIR, 'pom.xml')).mtimeMs, ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));
}

/** Builds bench/kstreams with Maven unless its classes and dependencies are there and newer than its sources. */
export function buildKafkaStreamsReference(): void {
  const main = join(KSTREAMS_DIR, 'target', 'classes', 'dev', 'vigil', 'bench', 'FraudReference.class');
  if (existsSync(main) && existsSync(join(KSTREAMS_DIR, 'target', 'dependency')) && statSync(main).mtimeMs >= newestSource()) return;
  const res = spawnSync('mvn', ['-B', '-q', 'package', 'dependency:copy-dependencies'], { cwd: KSTREAMS_DIR, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('bench/kstreams: `mvn package dependency:copy-dependencies` failed; is Maven installed and Maven Central reachable?');
}

export function startKafkaStreams(name: string, config: SutConfig, modelFile: string, alertHeaderHex: string, logFile: string): Child {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const args = [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    // Timestamps in the child's log (slf4j-simple), to see where a start or restore spends its time.
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
    '-cp',
    `${join(KSTREAMS_DIR, 'target', 'classes')}:${join(KSTREAMS_DIR, 'target', 'dependency', '*')}`,
    'dev.vigil.bench.FraudReference',
    '--brokers', config.brokers.join(','),
    '--app-id', config.applicationId,
    '--guarantee', config.guarantee,
    '--tx-topic', config.topics.transactions,
    '--profiles-topic', config.topics.userProfiles,
    '--alerts-topic', config.topics.alerts,
    '--dlq-topic', config.topics.deadLetter,
    '--state-dir', config.stateDir,
    '--commit-interval', String(config.commitIntervalMs),
    '--model', modelFile,
    '--alert-header', alertHeaderHex,
    '--linger-ms', String(config.lingerMs ?? 0),
    '--dedupe', String(config.dedupe ?? true),
  ];
  return watchChild(name, spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] }), logFile);
}

/** The Kafka jars fetched by src/cluster/fetch.ts, for kafka-consumer-perf-test. */
export function kafkaLibDir(): string {
  return join(process.env.VIGIL_CACHE_DIR ?? join(homedir(), '.cache', 'vigil'), 'kafka-4.1.2', 'lib');
}

export interface PerfTestResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  fetchRecordsPerSecond: number;
  raw: string;
}

/** `kafka-consumer-perf-test` (org.apache.kafka.tools.ConsumerPerformance) over `messages` records of `topic`. */
export function consumerPerfTest(brokers: string[], topic: string, messages: number): PerfTestResult | { error: string } {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const res = spawnSync(
    java,
    ['-Xmx256m', '-cp', `${kafkaLibDir()}/*`, 'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server', brokers.join(','), '--topic', topic, '--messages', String(messages),
      '--group', `perf-${Date.now()}`, '--timeout', '60000'],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const out = `${res.stdout ?? ''}`;
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const line = out.trim().split('\n').pop() ?? '';
  const f = line.split(',').map((s) => s.trim());
  if (res.status !== 0 || f.length < 10) return { error: `exit ${res.status}: ${(res.stderr ?? '').slice(-500)} ${out.slice(-500)}` };
  const records = Number(f[4]);
  return {
    records,
    seconds: records / Number(f[5]),
    recordsPerSecond: Math.round(Number(f[5])),
    fetchRecordsPerSecond: Math.round(Number(f[9])),
    raw: line,
  };
}
