import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/server.js';
import { FeedbackError } from '../../src/feedback/errors.js';
import type { FeedbackSink } from '../../src/feedback/feedback-sink.js';
import type { AlertFeedback } from '../../src/feedback/schema.js';
import { ManualClock } from '../../src/streams/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { sampleAlert } from '../webhook/alert-fixture.js';

const TOKEN = 'test-token-0123456789abcdef';
const secret = WebhookSecret.parse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const NOW = 1_764_000_100_000;
const auth = { authorization: `Bearer ${TOKEN}` };

/** Records what was written; `failing` makes the next writes fail as a down broker would. */
class MemorySink implements FeedbackSink {
  written: AlertFeedback[] = [];
  failing = false;
  async write(f: AlertFeedback) {
    if (this.failing) throw new FeedbackError('VIGIL_ERR_FEEDBACK_WRITE', 'broker down');
    this.written.push(f);
  }
  async close() {}
}

async function setup() {
  const sink = new MemorySink();
  const clock = new ManualClock(NOW);
  const { app, feed } = await buildDashboardApp({ token: TOKEN, secrets: [secret], clock, log: pino({ level: 'silent' }), feedback: sink });
  onTestFinished(() => app.close());
  feed.add('msg_1', sampleAlert(1), NOW - 100);
  feed.add('msg_2', sampleAlert(2), NOW - 100);
  const post = (id: string, payload: unknown, headers: Record<string, string> = auth) =>
    app.inject({ method: 'POST', url: `/api/alerts/${id}/verdict`, headers: { ...headers, 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  return { app, feed, sink, clock, post };
}

describe('dashboard verdicts', () => {
  it('writes a verdict with who and when, and a second one replaces the first in the counts', async () => {
    const { app, sink, clock, post } = await setup();
    const first = await post('msg_1', { verdict: 'false_positive', analyst: 'alice' });
    expect(first.statusCode).toBe(201);
    clock.advance(5_000);
    const second = await post('msg_1', { verdict: 'confirmed_fraud', analyst: 'bob' });
    expect(second.statusCode).toBe(201);
    expect(second.json().counts).toEqual({ confirmedFraud: 1, falsePositive: 0, unsure: 0, precision: 1 });
    expect(sink.written.map((f) => [f.transaction_id, f.verdict, f.analyst, f.decided_at_ms])).toEqual([
      ['t-1', 'VERDICT_FALSE_POSITIVE', 'alice', NOW],
      ['t-1', 'VERDICT_CONFIRMED_FRAUD', 'bob', NOW + 5_000],
    ]);
    await post('msg_2', { verdict: 'false_positive', analyst: 'alice' });
    const listed = await app.inject({ url: '/api/verdicts', headers: auth });
    expect(listed.json().counts).toEqual({ confirmedFraud: 1, falsePositive: 1, unsure: 0, precision: 0.5 });
    expect(listed.json().verdicts.map((f: AlertFeedback) => f.analyst)).toEqual(['bob', 'alice']);
  });

  it.each([
    ['no token', 'msg_1', { verdict: 'unsure', analyst: 'a' }, {}, 401],
    ['a wrong token', 'msg_1', { verdict: 'unsure', analyst: 'a' }, { authorization: 'Bearer wrong-token-0123456789' }, 401],
    ['an unknown alert', 'msg_404', { verdict: 'unsure', analyst: 'a' }, auth, 404],
    ['malformed JSON', 'msg_1', '{"verdict":', auth, 400],
    ['an unknown verdict', 'msg_1', { verdict: 'fraud?', analyst: 'a' }, auth, 400],
    ['a missing analyst', 'msg_1', { verdict: 'unsure' }, auth, 400],
  ])('answers %s with a 4xx and writes nothing', async (_name, id, body, headers, status) => {
    const { app, sink, post } = await setup();
    const res = await post(id, body, headers);
    expect(res.statusCode).toBe(status);
    expect(sink.written).toEqual([]);
    const listed = await app.inject({ url: '/api/verdicts', headers: auth });
    expect(listed.json().verdicts).toEqual([]);
  });

  it('answers 503 when Kafka refuses the write, and records nothing for the page', async () => {
    const { app, sink, post } = await setup();
    sink.failing = true;
    const res = await post('msg_1', { verdict: 'confirmed_fraud', analyst: 'alice' });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('VIGIL_ERR_FEEDBACK_WRITE');
    expect((await app.inject({ url: '/api/verdicts', headers: auth })).json().counts.confirmedFraud).toBe(0);
  });

  it('starts its counts from the verdicts the sink found on the topic', async () => {
    const earlier = { transaction_id: 't-9', alert_id: 'msg_9', verdict: 'VERDICT_FALSE_POSITIVE', analyst: 'carol', decided_at_ms: NOW - 60_000, model_version: 'm', score: 0.8, card_id: 'c', event_time_ms: NOW - 120_000 } as const;
    const sink = Object.assign(new MemorySink(), { existing: () => [earlier] });
    const { app } = await buildDashboardApp({ token: TOKEN, secrets: [secret], clock: new ManualClock(NOW), log: pino({ level: 'silent' }), feedback: sink });
    onTestFinished(() => app.close());
    const listed = (await app.inject({ url: '/api/verdicts', headers: auth })).json();
    expect(listed.counts).toEqual({ confirmedFraud: 0, falsePositive: 1, unsure: 0, precision: 0 });
    expect(listed.verdicts[0].analyst).toBe('carol');
  });

  it('reports verdicts as disabled when no sink is configured', async () => {
    const { app } = await buildDashboardApp({ token: TOKEN, secrets: [secret], clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
    onTestFinished(() => app.close());
    expect((await app.inject({ url: '/api/verdicts', headers: auth })).json()).toEqual({ disabled: true });
    const res = await app.inject({ method: 'POST', url: '/api/alerts/msg_1/verdict', headers: { ...auth, 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(404);
  });
});
