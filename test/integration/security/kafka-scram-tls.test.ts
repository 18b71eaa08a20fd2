import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sharedBrokerSettings, log4j2Properties } from '../../../src/cluster/config-files.js';
import { ensureArtifacts } from '../../../src/cluster/fetch.js';
import { findJava } from '../../../src/cluster/java.js';
import { startJvm, stopJvm } from '../../../src/cluster/jvm-process.js';
import { kafkaSecurityFromEnv } from '../../../src/commands/security-env.js';
import { createLogger } from '../../../src/log.js';
import { isVigilError } from '../../../src/streams/errors.js';
import { KafkaStreams } from '../../../src/streams/runtime/index.js';
import { connectAdmin, connectConsumer, connectProducer, type ConsumedRecord, type KafkaConnectionOptions } from '../../../src/streams/kafka/index.js';
import { COUNT_STORE, countOnly } from '../streams/topologies.js';

/**
 * A broker of its own with a SASL_SSL listener (SCRAM-SHA-512 over TLS with
 * a self-signed certificate for 127.0.0.1); the user is created by the
 * storage tool at format time (`--add-scram`). Inter-broker and controller
 * traffic stay on loopback plaintext listeners that the test never uses.
 */
const USER = 'vigil-engine';
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-scram`;
const STORE_PASS = 'changeit-vigil';
const JVM = 'broker-scram';

let dir = '';
let bootstrap = '';
let caPem = '';
let started = false;
/** Every log line of the Kafka clients in this file, searched for the password at the end. */
const logged: string[] = [];
const clientLogger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logged.push(chunk.toString()), done()) }));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${res.stdout}\n${res.stderr}`);
}

/** The connection a Vigil process builds from its environment (VIGIL_KAFKA_*), as `vigil engine` does. */
function secured(overrides: Record<string, string> = {}): KafkaConnectionOptions {
  const caFile = join(dir, 'ca.pem');
  const pwFile = join(dir, 'password');
  const security = kafkaSecurityFromEnv({
    VIGIL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    VIGIL_KAFKA_SASL_USERNAME: USER,
    VIGIL_KAFKA_SASL_PASSWORD_FILE: pwFile,
    VIGIL_KAFKA_TLS_CA_FILE: caFile,
    ...overrides,
  });
  return { brokers: [bootstrap], clientId: 'vigil-scram-test', retries: 1, logger: clientLogger, ...security };
}

beforeAll(async () => {
  const log = createLogger('scram-test', 'warn');
  dir = mkdtempSync(join(tmpdir(), 'vigil-scram-'));
  const [port, internal, controller] = [await freePort(), await freePort(), await freePort()];
  bootstrap = `127.0.0.1:${port}`;
  const artifacts = await ensureArtifacts(log);
  const java = findJava(17, 'Kafka 4.1.2');
  const keytool = join(dirname(java.bin), 'keytool');
  const keystore = join(dir, 'broker.p12');
  run(keytool, ['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2', '-dname', 'CN=127.0.0.1', '-ext', 'SAN=IP:127.0.0.1',
    '-keystore', keystore, '-storetype', 'PKCS12', '-storepass', STORE_PASS, '-keypass', STORE_PASS]);
  run(keytool, ['-exportcert', '-rfc', '-alias', 'broker', '-keystore', keystore, '-storetype', 'PKCS12', '-storepass', STORE_PASS, '-file', join(dir, 'ca.pem')]);
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });

  const props = join(dir, 'server.properties');
  const entries: Array<[string, string | number | boolean]> = [
    ...sharedBrokerSettings(),
    ['controller.quorum.bootstrap.servers', `127.0.0.1:${controller}`],
    ['listeners', `INTERNAL://127.0.0.1:${internal},SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`],
    ['advertised.listeners', `INTERNAL://127.0.0.1:${internal},SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`],
    ['listener.security.protocol.map', 'INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'INTERNAL'],
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
    ['listener.name.sasl_ssl.sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
    ['listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config', 'org.apache.kafka.common.security.scram.ScramLoginModule required;'],
    ['ssl.keystore.type', 'PKCS12'],
    ['ssl.keystore.location', keystore],
    ['ssl.keystore.password', STORE_PASS],
    ['ssl.key.password', STORE_PASS],
    ['log.dirs', join(dir, 'data')],
  ];
  writeFileSync(props, entries.map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  writeFileSync(join(dir, 'log4j2.properties'), log4j2Properties('server.log'));
  const clusterId = Buffer.from('vigil-scram-test').toString('base64url');
  run(java.bin, ['-cp', `${artifacts.kafkaLib}/*`, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', props,
    '--add-scram', `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`]);
  startJvm({
    name: JVM,
    command: java.bin,
    args: ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', `-Dkafka.logs.dir=${join(dir, 'logs')}`, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', `${artifacts.kafkaLib}/*`, 'kafka.Kafka', props],
    runDir: dir,
    ownerPid: process.pid,
  });
  started = true;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const admin = await connectAdmin(secured());
      await admin.listTopics();
      await admin.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the SCRAM broker did not come up: ${(error as Error).message}\n${readFileSync(join(dir, `${JVM}.out`), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}, 150_000);

afterAll(async () => {
  if (started) await stopJvm(dir, JVM);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('Kafka over SASL_SSL with SCRAM-SHA-512', () => {
  it('runs an exactly-once counting topology over TLS with SCRAM credentials read from VIGIL_KAFKA_* settings', async () => {
    const connection = secured();
    const topics = { clicks: `clicks-${Date.now()}`, counts: `counts-${Date.now()}` };
    const admin = await connectAdmin(connection);
    await admin.createTopics([{ topic: topics.clicks, partitions: 2 }, { topic: topics.counts, partitions: 2 }]);
    await admin.close();
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-scram-state-'));
    const streams = new KafkaStreams(countOnly(topics), {
      applicationId: `scram-count-${Date.now()}`,
      brokers: connection.brokers,
      processingGuarantee: 'exactly_once',
      stateDir,
      sessionTimeoutMs: 6_000,
      logger: clientLogger,
      ...(connection.tls !== undefined ? { tls: connection.tls } : {}),
      ...(connection.sasl !== undefined ? { sasl: connection.sasl } : {}),
    });
    try {
      await streams.start();
      await streams.waitForState('RUNNING', 60_000);
      const producer = await connectProducer(connection, { idempotent: true });
      const users = ['ana', 'bo', 'cy'];
      await producer.send(Array.from({ length: 30 }, (_, i) => ({ topic: topics.clicks, key: users[i % 3] as string, value: `/page/${i}` })));
      await producer.close();

      const consumer = await connectConsumer(connection, { groupId: `reader-${Date.now()}`, isolation: 'read_committed' });
      const seen: ConsumedRecord[] = [];
      await consumer.subscribe({ topics: [topics.counts], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} counts arrived`)), 60_000);
        void consumer.run({
          eachBatch: async (batch) => {
            seen.push(...batch.records);
            const last = new Map(seen.map((r) => [r.key?.toString(), r.value?.readBigInt64BE?.(0) ?? r.value]));
            if (users.every((u) => last.get(u) === 10n)) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.close();
      const store = streams.keyValueStore<string, number>(COUNT_STORE);
      expect(await Promise.all(users.map((u) => store.get(u)))).toEqual([10, 10, 10]);
    } finally {
      await streams.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('fails with VIGIL_ERR_KAFKA_AUTH and says what to check when the password is wrong, without printing it', async () => {
    const wrong = join(dir, 'wrong-password');
    writeFileSync(wrong, 'not-the-password');
    const error = await connectAdmin(secured({ VIGIL_KAFKA_SASL_PASSWORD_FILE: wrong })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVigilError(error, 'VIGIL_ERR_KAFKA_AUTH')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`user "${USER}" with SCRAM-SHA-512`);
    expect(message).toMatch(/Check the username and password \(VIGIL_KAFKA_SASL_USERNAME, VIGIL_KAFKA_SASL_PASSWORD or VIGIL_KAFKA_SASL_PASSWORD_FILE\)/);
    expect(message).not.toContain('not-the-password');
    expect(message).not.toContain(PASSWORD);
  });

  it('fails KafkaStreams.start() with the same VIGIL_ERR_KAFKA_AUTH for an unknown user', async () => {
    const connection = secured({ VIGIL_KAFKA_SASL_USERNAME: 'nobody' });
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-scram-state-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const streams = new KafkaStreams(countOnly({ clicks: 'c', counts: 'd' }), {
      applicationId: 'scram-unknown-user',
      brokers: connection.brokers,
      stateDir,
      ...(connection.tls !== undefined ? { tls: connection.tls } : {}),
      ...(connection.sasl !== undefined ? { sasl: connection.sasl } : {}),
    });
    streams.onError(() => {});
    await expect(streams.start()).rejects.toMatchObject({ code: 'VIGIL_ERR_KAFKA_AUTH', message: expect.stringContaining('user "nobody"') });
    await streams.close();
  });

  it('fails with VIGIL_ERR_KAFKA_TLS when the broker certificate is not trusted (no CA given)', async () => {
    const connection: KafkaConnectionOptions = { ...secured(), tls: true };
    const error = await connectAdmin(connection).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVigilError(error, 'VIGIL_ERR_KAFKA_TLS')).toBe(true);
    expect((error as Error).message).toMatch(/self.signed|certificate/i);
    expect((error as Error).message).toContain('VIGIL_KAFKA_TLS_CA_FILE');
    expect(caPem).toContain('BEGIN CERTIFICATE');
  });

  it('never logs the SASL password, through the runs and failures above', () => {
    const text = logged.join('');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('not-the-password');
  });
});
