import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, inject, onTestFailed, onTestFinished } from 'vitest';
import { isAlive, readPid, startJvm, stopJvm } from '../../src/cluster/jvm-process.js';
import { brokerAnswers } from '../../src/cluster/readiness.js';
import { connectAdmin, connectConsumer, type ConsumedRecord } from '../../src/streams/kafka/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MODEL = join(ROOT, 'models', 'fraud.onnx');

/** The chaos cluster's central (engine) brokers. */
export function central(): string[] {
  return inject('chaosPrimary').split(',');
}

export function regionBrokers(region: string): string[] {
  const b = inject('chaosBrokers')[region];
  if (!b) throw new Error(`the chaos cluster has no ${region}`);
  return b.split(',');
}

export function registryUrl(): string {
  return inject('chaosRegistryUrl');
}

const deferred: Array<() => void | Promise<void>> = [];
// Resources made in a beforeAll (no test to finish yet) are released when the file ends.
afterAll(async () => {
  for (const fn of deferred.splice(0).reverse()) await fn();
});

/** Registers cleanup: when the current test finishes, or when the file ends if called from a hook. */
export function defer(fn: () => void | Promise<void>): void {
  try {
    onTestFinished(fn);
  } catch {
    deferred.push(fn);
  }
}

/** A temporary directory removed when the test (or, from a hook, the file) finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vigil-chaos-${prefix}-`));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Kill points are random but reproducible from the seed each test reports (mulberry32, as for webhook jitter). */
export { seededRandom as seeded } from '../../src/webhook/scheduler.js';

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Topics for replayed fixtures. Their records carry event times up to weeks
 * old, and the broker's default 7-day time retention deletes any rolled
 * segment whose newest record is older than that: a transaction marker
 * (stamped "now") right after an old first record rolls the segment at
 * once, so the next retention check (every 5 min) deleted the first alert of
 * a run, and input the engine had not read yet. Time retention is off here.
 */
export async function createTopics(brokers: string[], specs: Array<{ topic: string; partitions?: number; compacted?: boolean }>): Promise<void> {
  const admin = await connectAdmin({ brokers });
  try {
    await admin.createTopics(
      specs.map((s) => {
        const config: Record<string, string> = s.compacted ? { 'cleanup.policy': 'compact' } : { 'retention.ms': '-1' };
        return { topic: s.topic, partitions: s.partitions ?? 1, config };
      }),
    );
  } finally {
    await admin.close();
  }
}

/** Committed offsets of `groupId` on `topic` summed over partitions, and the topic's end offsets summed. */
export async function groupProgress(brokers: string[], groupId: string, topic: string): Promise<{ committed: bigint; end: bigint }> {
  const admin = await connectAdmin({ brokers, retries: 2, connectionTimeoutMs: 3_000 });
  try {
    const committed = (await admin.committedOffsets(groupId, topic)).reduce((s, o) => s + (BigInt(o.offset) > 0n ? BigInt(o.offset) : 0n), 0n);
    const end = (await admin.endOffsets(topic)).reduce((s, o) => s + BigInt(o.offset), 0n);
    return { committed, end };
  } finally {
    await admin.close();
  }
}

/** Every record of `topics` up to their current ends (read_committed skips aborted ones). */
export async function readToEnd(brokers: string[], topics: string[], isolation: 'read_committed' | 'read_uncommitted' = 'read_committed', timeoutMs = 120_000): Promise<ConsumedRecord[]> {
  const admin = await connectAdmin({ brokers });
  const ends = new Map<string, bigint>();
  for (const topic of topics) for (const o of await admin.endOffsets(topic)) ends.set(`${topic}:${o.partition}`, BigInt(o.offset));
  await admin.close();
  const waiting = new Set([...ends].filter(([, end]) => end > 0n).map(([k]) => k));
  const records: ConsumedRecord[] = [];
  if (waiting.size === 0) return records;
  const c = await connectConsumer({ brokers }, { groupId: `chaos-read-${Math.random().toString(36).slice(2, 10)}`, isolation, maxBytesPerPartition: 8 * 1024 * 1024 });
  try {
    await c.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readToEnd(${topics.join(',')}) timed out; still waiting for ${[...waiting].join(',')}`)), timeoutMs);
      void c.run({
        autoCommit: false,
        eachBatch: async (b) => {
          const end = ends.get(`${b.topic}:${b.partition}`) ?? 0n;
          for (const r of b.records) if (BigInt(r.offset) < end) records.push(r);
        },
        onBatchEnd: (p) => {
          if (BigInt(p.lastOffset) + 1n >= (ends.get(`${p.topic}:${p.partition}`) ?? 0n)) waiting.delete(`${p.topic}:${p.partition}`);
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await c.close();
  }
  return records;
}

export interface Child {
  readonly pid: number;
  /** JSON lines the child printed so far (stdout for the engine app, stderr for `vigil dispatch`). */
  readonly events: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  alive(): boolean;
  waitForEvent(match: (e: Record<string, unknown>) => boolean, timeoutMs: number, what?: string): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** A Node child that prints JSON lines; killed with SIGKILL when the test ends, if still alive. */
export function spawnChild(args: string[], env: Record<string, string>, jsonFrom: 'stdout' | 'stderr'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', jsonFrom === 'stdout' ? 'pipe' : 'ignore', jsonFrom === 'stderr' ? 'pipe' : 'inherit'],
  });
  const events: Array<Record<string, unknown>> = [];
  let buffered = '';
  const stream = jsonFrom === 'stdout' ? child.stdout : child.stderr;
  stream?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not one of ours
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  keepEventsOnFailure(child.pid as number, args, events);
  defer(async () => {
    if (alive()) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    pid: child.pid as number,
    events,
    exited,
    alive,
    async waitForEvent(match, timeoutMs, what = 'an event') {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline || !alive()) {
          throw new Error(`child ${child.pid} (${args.join(' ')}) did not report ${what}; last events: ${JSON.stringify(events.slice(-10))}`);
        }
        await sleep(100);
      }
    },
    async kill(signal) {
      if (alive()) child.kill(signal);
      return exited;
    },
  };
}

/**
 * When the test fails, a child's JSON lines go to test-artifacts/chaos/ and
 * the last ones to the console: a flake in CI is otherwise unexplained.
 */
function keepEventsOnFailure(pid: number, args: string[], events: Array<Record<string, unknown>>): void {
  try {
    onTestFailed(() => {
      const dir = join(ROOT, 'test-artifacts', 'chaos');
      mkdirSync(dir, { recursive: true });
      const name = `${args.map((a) => a.split('/').pop()).join('-').replace(/[^\w.-]+/g, '_').slice(0, 60)}-${pid}.jsonl`;
      writeFileSync(join(dir, name), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const notable = events.filter((e) => typeof e.level !== 'number' || (e.level as number) >= 40);
      process.stdout.write(`[chaos] child ${pid} (${name}): ${events.length} events kept; last warnings/errors:\n${notable.slice(-25).map((e) => JSON.stringify(e)).join('\n')}\n`);
    });
  } catch {
    // spawned outside a test (a hook): nothing to attach to
  }
}

export interface EngineTopics {
  transactions: string;
  userProfiles: string;
  alerts: string;
  deadLetter: string;
  features: string;
}

export function engineTopics(prefix: string): EngineTopics {
  const id = Math.random().toString(36).slice(2, 8);
  return {
    transactions: `${prefix}-${id}.transactions`,
    userProfiles: `${prefix}-${id}.user-profiles`,
    alerts: `${prefix}-${id}.alerts`,
    deadLetter: `${prefix}-${id}.transactions.dlq`,
    features: `${prefix}-${id}.features`,
  };
}

/** fixtures/engine-app.ts: the fraud engine on the chaos cluster's central brokers. */
export function spawnEngine(env: { appId: string; instanceId: string; stateDir: string; topics: EngineTopics; dumpFile: string }): Child {
  return spawnChild(
    [join(ROOT, 'test', 'chaos', 'fixtures', 'engine-app.ts')],
    {
      BROKERS: central().join(','),
      REGISTRY_URL: registryUrl(),
      APP_ID: env.appId,
      INSTANCE_ID: env.instanceId,
      STATE_DIR: env.stateDir,
      TX_TOPIC: env.topics.transactions,
      PROFILES_TOPIC: env.topics.userProfiles,
      ALERTS_TOPIC: env.topics.alerts,
      DLQ_TOPIC: env.topics.deadLetter,
      DUMP_FILE: env.dumpFile,
      MODEL,
    },
    'stdout',
  );
}

/** `vigil dispatch --config <file>` against the chaos cluster, logging JSON on stderr. */
export function spawnDispatcher(configPath: string, env: Record<string, string>): Child {
  return spawnChild([join(ROOT, 'src', 'cli.ts'), 'dispatch', '--config', configPath, '--brokers', central().join(',')], { LOG_LEVEL: 'info', ...env }, 'stderr');
}

/**
 * Restarts one JVM of the chaos cluster (`broker-central`, `mirror-maker`)
 * with the exact command line it was started with: SIGTERM (or SIGKILL),
 * `downMs` of absence, then the same process again. Returns when the new
 * process is spawned; the caller waits for whatever readiness it needs.
 */
export async function restartJvm(name: string, options: { signal?: 'SIGTERM' | 'SIGKILL'; downMs?: number } = {}): Promise<{ oldPid: number; newPid: number; stopMs: number }> {
  const runDir = inject('chaosRunDir');
  const record = readPid(runDir, name);
  if (!record || !isAlive(record.pid)) throw new Error(`${name} is not running in ${runDir}`);
  const [command, ...args] = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0').filter((s) => s.length > 0);
  if (!command) throw new Error(`cannot read the command line of ${name} (${record.pid})`);
  const started = Date.now();
  if (options.signal === 'SIGKILL') {
    process.kill(-record.pid, 'SIGKILL');
    while (isAlive(record.pid)) await sleep(50);
  } else {
    await stopJvm(runDir, name, 30_000);
  }
  const stopMs = Date.now() - started;
  await sleep(options.downMs ?? 0);
  const next = startJvm({ name, command, args, runDir, ownerPid: record.ownerPid });
  return { oldPid: record.pid, newPid: next.pid, stopMs };
}

export async function waitForBroker(brokers: string[], timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  await waitUntil(() => brokerAnswers(brokers.join(',')).catch(() => false), timeoutMs, `broker ${brokers.join(',')}`, 500);
  return Date.now() - started;
}

/** Writes a scenario's measured numbers to test/chaos/.results/<name>.json (git-ignored) for docs/RELIABILITY.md. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = join(ROOT, 'test', 'chaos', '.results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ scenario: name, at: new Date().toISOString(), ...result }, null, 2)}\n`);
  process.stdout.write(`[chaos] ${name}: ${JSON.stringify(result)}\n`);
}
