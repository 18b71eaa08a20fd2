import { pino } from 'pino';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { dispatcherConfig } from '../../../src/webhook/config.js';
import { DLQ_HEADERS, WebhookDispatcher } from '../../../src/webhook/dispatcher.js';
import { WebhookSecret } from '../../../src/webhook/secret.js';
import { verify } from '../../../src/webhook/signature.js';
import { framedAlert, sampleAlert } from '../../webhook/alert-fixture.js';
import { flakyReceiver } from '../../webhook/flaky-receiver.js';
import { admin, connection, producer, readRecords, uniqueName } from '../helpers.js';
import { produceAlerts } from './alerts.js';

const secret = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 9)));

describe('WebhookDispatcher on the real broker', () => {
  it('delivers every alert through failures, dead-letters a 410 endpoint with the reason, and commits past both', async () => {
    const topic = uniqueName('alerts');
    const a = await admin();
    await produceAlerts(a, await producer(), topic, 12, 2);
    const failures = new Map<string, number>();
    const accepted: string[] = [];
    const flaky = await flakyReceiver((_n, req) => {
      const id = verify({ secrets: [secret], headers: req.headers, body: req.body, nowMs: Date.now() }).id;
      const seen = failures.get(id) ?? 0;
      failures.set(id, seen + 1);
      if (seen < 2) return { status: 500 };
      accepted.push(id);
      return { status: 204 };
    });
    const gone = await flakyReceiver(() => ({ status: 410 }));
    const config = dispatcherConfig({
      brokers: connection().brokers,
      alertsTopic: topic,
      groupId: uniqueName('dispatcher'),
      dlqTopic: `${topic}.dlq`,
      stateTopic: `${topic}.state`,
      commitIntervalMs: 200,
      retry: { baseDelayMs: 50, maxDelayMs: 200 },
      endpoints: [
        { name: 'ops', url: flaky.url, secrets: [secret] },
        { name: 'retired', url: gone.url, secrets: [secret] },
      ],
    });
    const dispatcher = await WebhookDispatcher.start(config, { log: pino({ level: 'silent' }) });
    onTestFinished(() => dispatcher.stop());

    await vi.waitFor(() => expect(dispatcher.stats()).toMatchObject({ deadLettered: 12, inFlight: 0 }), { timeout: 60_000, interval: 100 });
    expect(accepted).toHaveLength(12);
    expect(new Set(accepted).size).toBe(12);
    expect([...failures.values()].every((n) => n === 3)).toBe(true); // two 500s, then the 204
    // Once disabled, the endpoint gets no more requests: later alerts go straight to the DLQ.
    const requestsWhenDisabled = gone.requests.length;
    await (await producer()).send(
      [100, 101, 102].map((n) => ({ topic, partition: 0, key: null, value: framedAlert(sampleAlert(n, { source: { topic: `${topic}.transactions`, partition: 0, offset: n } })) })),
    );
    await vi.waitFor(() => expect(dispatcher.stats()).toMatchObject({ deadLettered: 15, inFlight: 0 }), { timeout: 30_000, interval: 100 });
    expect(gone.requests).toHaveLength(requestsWhenDisabled);

    const dlq = await readRecords([`${topic}.dlq`], 15, { timeoutMs: 20_000 });
    expect(dlq).toHaveLength(15);
    for (const r of dlq) {
      expect(r.headers[DLQ_HEADERS.endpoint]?.toString()).toBe('retired');
      expect(r.headers[DLQ_HEADERS.reason]?.toString()).toMatch(/^endpoint disabled: HTTP 410 Gone/);
    }
    await vi.waitFor(
      async () => {
        const committed = await a.committedOffsets(config.groupId, topic);
        expect(committed.map((c) => c.offset).sort()).toEqual(['6', '9']);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe('WebhookDispatcher with bad input', () => {
  it('dead-letters an undecodable alert record with the reason and keeps delivering the ones after it', async () => {
    const topic = uniqueName('alerts');
    const a = await admin();
    await a.createTopics([{ topic, partitions: 1 }]);
    const p = await producer();
    await p.send([{ topic, partition: 0, key: null, value: Buffer.from('not an alert') }]);
    await produceAlerts(a, p, topic, 3);
    const ok = await flakyReceiver(() => ({ status: 204 }));
    const dispatcher = await WebhookDispatcher.start(
      dispatcherConfig({
        brokers: connection().brokers,
        alertsTopic: topic,
        groupId: uniqueName('dispatcher'),
        dlqTopic: `${topic}.dlq`,
        stateTopic: `${topic}.state`,
        commitIntervalMs: 200,
        endpoints: [{ name: 'ops', url: ok.url, secrets: [secret] }],
      }),
      { log: pino({ level: 'silent' }) },
    );
    onTestFinished(() => dispatcher.stop());
    await vi.waitFor(() => expect(dispatcher.stats()).toMatchObject({ delivered: 3, deadLettered: 1, inFlight: 0 }), { timeout: 30_000, interval: 100 });
    expect(ok.requests).toHaveLength(3);
    const [dead] = await readRecords([`${topic}.dlq`], 1, { timeoutMs: 20_000 });
    expect(dead?.value?.toString()).toBe('not an alert');
    expect(dead?.headers[DLQ_HEADERS.reason]?.toString()).toMatch(/^undecodable alert: .*magic byte/);
    expect(dead?.headers[DLQ_HEADERS.source]?.toString()).toBe(`${topic}/0@0`);
  });
});

describe('WebhookDispatcher backpressure', () => {
  it('pauses the partition at maxInFlight and resumes it, delivering everything', async () => {
    const topic = uniqueName('alerts');
    const a = await admin();
    await produceAlerts(a, await producer(), topic, 15, 1);
    const ok = await flakyReceiver(() => ({ status: 204 }));
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const dispatcher = await WebhookDispatcher.start(
      dispatcherConfig({
        brokers: connection().brokers,
        alertsTopic: topic,
        groupId: uniqueName('dispatcher'),
        dlqTopic: `${topic}.dlq`,
        stateTopic: `${topic}.state`,
        maxInFlight: 2,
        endpoints: [{ name: 'ops', url: ok.url, secrets: [secret] }],
      }),
      { log },
    );
    onTestFinished(() => dispatcher.stop());
    await vi.waitFor(() => expect(dispatcher.stats()).toMatchObject({ delivered: 15, inFlight: 0 }), { timeout: 30_000, interval: 50 });
    expect(ok.requests).toHaveLength(15);
    expect(warnings).toContain('maxInFlight reached; partition paused');
  });
});
