import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDashboard } from '../../src/dashboard/server.js';
import { systemClock } from '../../src/streams/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { signedHeaders } from '../../src/webhook/signature.js';
import { sampleAlert } from '../webhook/alert-fixture.js';

const TOKEN = 'sse-test-token-0123456789abcdef';
const secret = WebhookSecret.parse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');

describe('dashboard live feed (SSE)', () => {
  it('sends a snapshot, then each accepted alert, and ends the stream when the server closes', async () => {
    const server = await startDashboard({ port: 0, token: TOKEN, secrets: [secret], clock: systemClock, log: pino({ level: 'silent' }) });
    let closed = false;
    onTestFinished(async () => {
      if (!closed) await server.close();
    });
    const res = await fetch(`${server.url}/api/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += new TextDecoder().decode(value);
      }
      return true;
    };
    expect(await until(/event: snapshot\ndata: .*"alerts":\[\]/)).toBe(true);

    const body = JSON.stringify({ type: 'fraud.alert', timestamp: new Date().toISOString(), data: { alert: sampleAlert(4), source_timestamp_ms: Date.now() - 30, alert_record: { topic: 'alerts', partition: 0, offset: '4' } } });
    const post = await fetch(`${server.url}/webhooks/alerts`, { method: 'POST', headers: { ...signedHeaders([secret], 'msg_sse', Math.floor(Date.now() / 1000), body), 'content-type': 'application/json' }, body });
    expect(post.status).toBe(204);
    expect(await until(/event: alert\ndata: \{"id":"msg_sse".*"feature":"geo_velocity_kmh"/)).toBe(true);
    expect(await until(/event: stats\ndata: \{"total":1,/)).toBe(true);

    const started = Date.now();
    await server.close();
    closed = true;
    expect(await until(/never/)).toBe(false); // the stream ended instead of holding the close
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
