import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/server.js';
import { ManualClock } from '../../src/streams/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { signedHeaders } from '../../src/webhook/signature.js';
import { sampleAlert } from '../webhook/alert-fixture.js';
import { FEATURE_NAMES } from '../../src/fraud/features/feature-names.js';

const TOKEN = 'test-token-0123456789abcdef';
const secret = WebhookSecret.parse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const NOW = 1_764_000_100_000;

async function setup() {
  const logLines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const clock = new ManualClock(NOW);
  const { app, feed } = await buildDashboardApp({ token: TOKEN, secrets: [secret], clock, log: pino({ level: 'info' }, sink) });
  onTestFinished(() => app.close());
  return { app, feed, clock, logLines };
}

function webhook(n: number, opts: { id?: string; timestamp?: number; body?: string; sourceTs?: number } = {}) {
  const body = opts.body ?? JSON.stringify({ type: 'fraud.alert', timestamp: new Date(NOW).toISOString(), data: { alert: sampleAlert(n), source_timestamp_ms: opts.sourceTs ?? NOW - 180, alert_record: { topic: 'alerts', partition: 0, offset: String(n) } } });
  const headers = signedHeaders([secret], opts.id ?? `msg_${n}`, opts.timestamp ?? Math.floor(NOW / 1000), body);
  return { method: 'POST' as const, url: '/webhooks/alerts', headers: { ...headers, 'content-type': 'application/json' }, payload: body };
}

describe('dashboard webhook receiver', () => {
  it('accepts a signed alert (204) and puts it on the feed with its end-to-end latency', async () => {
    const { app, feed } = await setup();
    const res = await app.inject(webhook(1));
    expect(res.statusCode).toBe(204);
    expect(feed.recent()).toHaveLength(1);
    expect(feed.recent()[0]).toMatchObject({ id: 'msg_1', latencyMs: 180, alert: { reasons: [{ feature: 'geo_velocity_kmh' }, { feature: 'amount_zscore' }] } });
  });

  it.each([
    ['a tampered body', (r: ReturnType<typeof webhook>) => ({ ...r, payload: r.payload.replace('0.97', '0.10') }), 'no-matching-signature'],
    ['missing signature headers', (r: ReturnType<typeof webhook>) => ({ ...r, headers: { 'content-type': 'application/json' } }), 'missing-headers'],
    ['an expired timestamp', () => webhook(1, { timestamp: Math.floor(NOW / 1000) - 301 }), 'expired'],
    ['a future timestamp', () => webhook(1, { timestamp: Math.floor(NOW / 1000) + 301 }), 'future'],
  ])('answers 401 with an empty body for %s, and logs the reason', async (_name, mutate, reason) => {
    const { app, feed, logLines } = await setup();
    const res = await app.inject(mutate(webhook(1)));
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('');
    expect(feed.recent()).toHaveLength(0);
    expect(logLines.find((l) => l.msg === 'webhook rejected')).toMatchObject({ reason });
  });

  it('rejects a replay of the exact same signed message with 401', async () => {
    const { app, feed, logLines } = await setup();
    const original = webhook(1);
    expect((await app.inject(original)).statusCode).toBe(204);
    const replay = await app.inject(original);
    expect(replay.statusCode).toBe(401);
    expect(logLines.find((l) => l.msg === 'webhook rejected')).toMatchObject({ reason: 'replayed' });
    expect(feed.recent()).toHaveLength(1);
  });

  it('acknowledges a re-signed retry of an accepted id (200, duplicate) without showing it twice', async () => {
    const { app, feed, clock } = await setup();
    expect((await app.inject(webhook(1))).statusCode).toBe(204);
    clock.advance(5_000);
    const retry = await app.inject(webhook(1, { timestamp: Math.floor(NOW / 1000) + 5 }));
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ duplicate: true });
    expect(feed.recent()).toHaveLength(1);
  });

  it('answers 400 to a verified body that is not a fraud.alert', async () => {
    const { app, feed } = await setup();
    expect((await app.inject(webhook(1, { body: '{"type":"other"}' }))).statusCode).toBe(400);
    expect(feed.recent()).toHaveLength(0);
  });
});

describe('dashboard page and API', () => {
  it('requires the token for the page, and trades ?token= for an HttpOnly cookie', async () => {
    const { app } = await setup();
    expect((await app.inject('/')).statusCode).toBe(401);
    expect((await app.inject('/?token=wrong-token-0123456789')).statusCode).toBe(401);
    const login = await app.inject(`/?token=${TOKEN}`);
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^vigil_dashboard=.+; HttpOnly; SameSite=Strict/);
    const page = await app.inject({ url: '/', headers: { cookie: cookie.split(';')[0] as string } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Fraud operations');
  });

  it('protects the API with the token (401 without; 200 with a bearer token)', async () => {
    const { app } = await setup();
    await app.inject(webhook(3));
    for (const url of ['/api/alerts', '/api/stats', '/api/cards/card-3/transactions', '/api/stream']) {
      expect((await app.inject(url)).statusCode, url).toBe(401);
    }
    const alerts = await app.inject({ url: '/api/alerts', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(alerts.json().alerts.map((a: { id: string }) => a.id)).toEqual(['msg_3']);
  });

  it('tells the page each feature\'s kind, so flags and ratios are never shown as money', async () => {
    const { app } = await setup();
    expect((await app.inject('/api/features')).statusCode).toBe(401);
    const { kinds } = (await app.inject({ url: '/api/features', headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(Object.keys(kinds).sort()).toEqual([...FEATURE_NAMES].sort());
    expect(kinds).toMatchObject({ typical_spend_known: 'flag', amount_vs_typical: 'ratio', sum_24h: 'money', geo_velocity_kmh: 'kmh', count_1h: 'count' });
  });

  it('serves per-minute counts and the latency histogram', async () => {
    const { app, clock } = await setup();
    await app.inject(webhook(1, { sourceTs: NOW - 40 }));
    clock.advance(60_000);
    await app.inject(webhook(2, { sourceTs: NOW + 60_000 - 700, timestamp: Math.floor(NOW / 1000) + 60 }));
    const stats = (await app.inject({ url: '/api/stats', headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(stats.total).toBe(2);
    expect(stats.perMinute.slice(-2).map((m: { count: number }) => m.count)).toEqual([1, 1]);
    expect(stats.latencyCounts[2]).toBe(1); // 40 ms ≤ 50
    expect(stats.latencyCounts[6]).toBe(1); // 700 ms ≤ 1000
    expect(stats).toMatchObject({ latencyP50Ms: 40, latencyMaxMs: 700 });
  });

  it('keeps replayed alerts (old Kafka timestamps) out of the latency histogram but on the feed', async () => {
    const { app, feed } = await setup();
    await app.inject(webhook(1, { sourceTs: NOW - 3 * 24 * 3600_000 }));
    await app.inject(webhook(2, { sourceTs: NOW - 20 }));
    const stats = feed.stats();
    expect(stats).toMatchObject({ total: 2, unmeasured: 1, latencyP50Ms: 20, latencyMaxMs: 20 });
    expect(stats.latencyCounts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(feed.recent().map((a) => a.latencyMs)).toEqual([20, null]);
  });

  it('lists a card’s recent transactions from the fallback provider and says where they came from', async () => {
    const { app } = await setup();
    await app.inject(webhook(7)); // card-0
    await app.inject(webhook(14)); // card-0
    const res = (await app.inject({ url: '/api/cards/card-0/transactions', headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(res.transactions.map((t: { transaction_id: string }) => t.transaction_id)).toEqual(['t-14', 't-7']);
    expect(res.source).toMatch(/interactive queries not connected/);
  });

  it('exposes /healthz and /metrics without the token', async () => {
    const { app } = await setup();
    await app.inject(webhook(1));
    await app.inject({ ...webhook(2), payload: 'tampered' });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok', alerts: 1 });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('vigil_dashboard_webhooks_total{result="accepted"} 1');
    expect(metrics).toContain('vigil_dashboard_webhooks_rejected_total{reason="no-matching-signature"} 1');
    expect(metrics).toContain('vigil_alert_end_to_end_latency_seconds_count 1');
  });

  it('refuses a short token at registration', async () => {
    await expect(buildDashboardApp({ token: 'short', secrets: [secret], clock: new ManualClock(0), log: pino({ level: 'silent' }) })).rejects.toThrow(/at least 16/);
  });
});
