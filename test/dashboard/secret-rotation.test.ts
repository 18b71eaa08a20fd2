import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/server.js';
import { ManualClock } from '../../src/streams/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { signedHeaders } from '../../src/webhook/signature.js';
import { sampleAlert } from '../webhook/alert-fixture.js';

const NOW = 1_764_000_100_000;
const OLD = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 1)));
const NEW = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 2)));
const OTHER = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 3)));
let n = 0;

async function receiver(secrets: WebhookSecret[]) {
  const { app } = await buildDashboardApp({ token: 'rotation-token-0123456789', secrets, clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
  onTestFinished(() => app.close());
  return async (senderSecrets: WebhookSecret[]): Promise<number> => {
    n++;
    const body = JSON.stringify({ type: 'fraud.alert', data: { alert: sampleAlert(n), source_timestamp_ms: NOW - 50 } });
    const res = await app.inject({ method: 'POST', url: '/webhooks/alerts', payload: body, headers: { ...signedHeaders(senderSecrets, `msg_${n}`, Math.floor(NOW / 1000), body), 'content-type': 'application/json' } });
    return res.statusCode;
  };
}

describe('webhook secret rotation', () => {
  it('a receiver given two secrets accepts messages signed with either, or both, and nothing else', async () => {
    const deliver = await receiver([NEW, OLD]);
    expect(await deliver([OLD])).toBe(204);
    expect(await deliver([NEW])).toBe(204);
    expect(await deliver([NEW, OLD])).toBe(204);
    expect(await deliver([OTHER])).toBe(401);
  });

  it('rotates without a rejected delivery: sender signs with both, receiver switches, sender drops the old one', async () => {
    const oldReceiver = await receiver([OLD]);
    const newReceiver = await receiver([NEW]);
    // 1. Before: both sides on the old secret.
    expect(await oldReceiver([OLD])).toBe(204);
    // 2. The sender adds the new secret first; the unchanged receiver still accepts.
    expect(await oldReceiver([NEW, OLD])).toBe(204);
    // 3. The receiver switches to the new secret; the dual-signed messages still pass.
    expect(await newReceiver([NEW, OLD])).toBe(204);
    // 4. The sender drops the old secret.
    expect(await newReceiver([NEW])).toBe(204);
    // The old secret alone no longer works anywhere it was removed.
    expect(await newReceiver([OLD])).toBe(401);
  });
});
