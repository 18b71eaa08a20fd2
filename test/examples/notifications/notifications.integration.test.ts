import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signupSerde, startNotifier, type NotificationTopics, type RunningNotifier } from '../../../examples/notifications/app.js';
import { MockProvider } from '../../../examples/notifications/mock-provider.js';
import type { UserSignedUp } from '../../../examples/notifications/schema.js';
import { publishSignups, signupEvent } from '../../../examples/notifications/user-service.js';
import type { RegistrySerde } from '../../../src/registry/registry-serde.js';
import { producer, readRecords, uniqueName } from '../../integration/helpers.js';

const brokers = () => inject('kafkaBrokers').split(',');
const registryUrl = () => inject('schemaRegistryUrl');

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// One provider, one topic set and one state dir for the file: each test uses its own users.
let provider: MockProvider;
let topics: NotificationTopics;
let serde: RegistrySerde<UserSignedUp>;
let stateDir: string;
const running: RunningNotifier[] = [];

async function notifier(name: string): Promise<RunningNotifier> {
  const n = await startNotifier({
    brokers: brokers(),
    registryUrl: registryUrl(),
    provider: { baseUrl: provider.url, retry: { baseDelayMs: 50, maxAttempts: 6 } },
    notifier: name,
    stateDir,
    topics,
  });
  running.push(n);
  await n.streams.waitForState('RUNNING', 60_000);
  return n;
}

beforeAll(async () => {
  provider = await MockProvider.start();
  topics = { signups: uniqueName('user-signups'), sent: uniqueName('notifications-sent'), dlq: uniqueName('notifications-dlq') };
  stateDir = mkdtempSync(join(tmpdir(), 'vigil-notify-'));
});

afterAll(async () => {
  for (const n of running) await n.close();
  serde?.close();
  await provider?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('notifications example on the real broker and registry', () => {
  it('notifies every signup once, retries a provider outage and dead-letters a malformed event', async () => {
    await notifier('welcome');
    serde = await signupSerde(registryUrl(), topics);
    const p = await producer();
    provider.failNext(3);
    const events = [
      signupEvent({ user_id: 'u-1', email: 'u1@example.com' }, 1_000, 'evt-1'),
      signupEvent({ user_id: 'u-2', phone: '+15550102', channel: 'sms' }, 2_000, 'evt-2'),
      signupEvent({ user_id: 'u-3', email: 'u3@example.com' }, 3_000, 'evt-3'),
    ];
    await publishSignups(p, serde, topics.signups, events);
    // A redelivery of evt-1 (the producer retried) and a record that is not UserSignedUp at all.
    await publishSignups(p, serde, topics.signups, [events[0]!]);
    await p.send([{ topic: topics.signups, key: 'u-4', value: Buffer.from('{"not":"protobuf"}') }]);

    const dead = await readRecords([topics.dlq], 1, { timeoutMs: 30_000 });
    expect(dead.map((r) => r.headers['vigil.error.code']?.toString())).toEqual(['VIGIL_ERR_DESERIALIZATION']);
    expect(dead[0]?.value?.toString()).toBe('{"not":"protobuf"}');

    await until(() => provider.deliveries().length >= 3);
    const delivered = provider.deliveries().map((d) => [d.idempotencyKey, d.channel, d.to]);
    expect(delivered).toEqual([
      ['welcome:evt-1', 'email', 'u1@example.com'],
      ['welcome:evt-2', 'sms', '+15550102'],
      ['welcome:evt-3', 'email', 'u3@example.com'],
    ]);
    // Three 503s, then one accepted request per event: the duplicate evt-1 sent nothing.
    expect(provider.requests.filter((r) => r.status === 503)).toHaveLength(3);
    expect(provider.requests.filter((r) => r.status === 202)).toHaveLength(3);
    const sent = await readRecords([topics.sent], 3, { timeoutMs: 20_000 });
    expect(sent.map((r) => r.key?.toString())).toEqual(['evt-1', 'evt-2', 'evt-3']);
  });

  it('a second notifier in its own group gets every signup while the producer changes nothing', async () => {
    const before = provider.requests.length;
    await notifier('sms-audit');
    // The new group starts from the earliest offset: it catches up on the signups published before it existed.
    await until(() => provider.deliveries().filter((d) => d.idempotencyKey.startsWith('sms-audit:')).length >= 3);
    const p = await producer();
    await publishSignups(p, serde, topics.signups, [signupEvent({ user_id: 'u-5', email: 'u5@example.com' }, 5_000, 'evt-5')]);
    await until(() => provider.deliveries().filter((d) => d.idempotencyKey.endsWith(':evt-5')).length >= 2);
    const keys = provider.deliveries().map((d) => d.idempotencyKey).sort();
    expect(keys).toEqual(
      ['evt-1', 'evt-2', 'evt-3', 'evt-5'].flatMap((e) => [`sms-audit:${e}`, `welcome:${e}`]).sort(),
    );
    // Exactly five new requests: four for the new notifier, one for the first; nothing was resent.
    expect(provider.requests.length - before).toBe(5);
  });
});
