import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startDashboard } from '../../../src/dashboard/server.js';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { systemClock } from '../../../src/streams/index.js';
import { connectProducer } from '../../../src/streams/kafka/index.js';
import { dispatcherConfig } from '../../../src/webhook/config.js';
import { WebhookDispatcher } from '../../../src/webhook/dispatcher.js';
import { WebhookSecret } from '../../../src/webhook/secret.js';
import { signedHeaders } from '../../../src/webhook/signature.js';
import { uniqueName } from '../helpers.js';
import { fraudSerdes, freshFraudTopics } from '../fraud-helpers.js';
import type { Transaction } from '../../../src/fraud/schema/index.js';
import { brokers, startStreams, tempStateDir } from '../streams/helpers.js';

/**
 * The whole alert path (engine → alerts → dispatcher → signed webhook →
 * dashboard) runs at debug level with every pino line captured, including
 * the failures that log the most: a receiver that rejects every signature
 * (retries, then the webhook DLQ), wrong tokens, forged webhooks and the
 * `?token=` exchange. Then the captured text is searched for every secret
 * in every form it could take.
 */
const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));

function capture(): { log: Logger; text: () => string; lines: () => number } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).length };
}

describe('secrets never reach the logs', () => {
  it('delivers alerts end to end with two secrets (rotation) and logs none of them, nor the dashboard token', async () => {
    const secretNew = WebhookSecret.generate(randomBytes(32));
    const secretOld = WebhookSecret.generate(randomBytes(32));
    const secretWrong = WebhookSecret.generate(randomBytes(32));
    const token = randomBytes(24).toString('base64url');
    const env = { VIGIL_TEST_SECRET_NEW: secretNew, VIGIL_TEST_SECRET_OLD: secretOld };
    const { log, text, lines } = capture();

    const topics = await freshFraudTopics();

    // The dashboard accepts either secret (a receiver mid-rotation); a second one knows neither.
    const dashboard = await startDashboard({ token, secrets: [WebhookSecret.parse(secretOld), WebhookSecret.parse(secretNew)], clock: systemClock, log: log.child({ service: 'dashboard' }) });
    onTestFinished(() => dashboard.close());
    const stranger = await startDashboard({ token: randomBytes(24).toString('base64url'), secrets: [WebhookSecret.parse(secretWrong)], clock: systemClock, log: log.child({ service: 'stranger' }) });
    onTestFinished(() => stranger.close());

    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    const serdes = await fraudSerdes(topics);
    const streams = await startStreams(buildFraudTopology({ serdes, topics, storeType: 'memory', scoring: { scorer, threshold: 0, batch: { maxBatchSize: 8, maxDelayMs: 10 } } }), {
      ...fraudStreamsConfig({ applicationId: uniqueName('secrets'), deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }),
      processingGuarantee: 'exactly_once',
      logger: log.child({ service: 'engine' }),
    });
    await streams.waitForState('RUNNING');

    const config = dispatcherConfig(
      {
        brokers: brokers(),
        alertsTopic: topics.alerts,
        groupId: uniqueName('dispatcher'),
        dlqTopic: `${topics.alerts}.webhook-dlq`,
        stateTopic: `${topics.alerts}.webhook-state`,
        commitIntervalMs: 200,
        retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 40 },
        endpoints: [
          // New first, as docs/webhooks.md says: every message carries both signatures.
          { name: 'dashboard', url: `${dashboard.url}/webhooks/alerts`, secrets: ['env:VIGIL_TEST_SECRET_NEW', 'env:VIGIL_TEST_SECRET_OLD'] },
          { name: 'stranger', url: `${stranger.url}/webhooks/alerts`, secrets: ['env:VIGIL_TEST_SECRET_NEW'] },
        ],
      },
      env,
    );
    log.info({ config }, 'dispatcher configuration'); // someone logging the whole config must not leak either
    const dispatcher = await WebhookDispatcher.start(config, { log: log.child({ service: 'dispatcher' }) });
    onTestFinished(() => dispatcher.stop());

    const producer = await connectProducer({ brokers: brokers() }, { idempotent: true });
    const now = Date.now();
    await producer.send(
      Array.from({ length: 5 }, (_, i) => {
        const tx: Transaction = {
          transaction_id: `secret-${i}`, card_id: `card-${i}`, user_id: `u-${i}`, amount_minor: 1_000 + i, currency: 'USD', merchant_id: 'm-1', mcc: 5411,
          latitude: 40.7, longitude: -74, device_id: 'd-1', channel: 'CHANNEL_ONLINE', region: 'us-east', event_time_ms: now - 1_000 + i,
        };
        return { topic: topics.transactions, key: tx.card_id, value: serdes.transaction.serialize(topics.transactions, tx) };
      }),
    );
    await producer.close();
    await vi.waitFor(() => expect(dashboard.feed.stats().total).toBe(5), { timeout: 60_000, interval: 100 });
    await vi.waitFor(() => expect(dispatcher.stats()).toMatchObject({ deadLettered: 5, inFlight: 0 }), { timeout: 60_000, interval: 100 });

    // The token's ways in, right and wrong, and forged or replayed webhooks.
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${dashboard.url}${path}`, { headers, redirect: 'manual' });
    expect((await get(`/?token=${encodeURIComponent(token)}`)).status).toBe(302);
    expect((await get('/api/alerts', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await get('/api/stats', { cookie: `vigil_dashboard=${encodeURIComponent(token)}` })).status).toBe(200);
    expect((await get(`/api/alerts?token=${token}x`)).status).toBe(401);
    expect((await get('/api/alerts', { authorization: `Bearer ${token.slice(0, -1)}` })).status).toBe(401);
    expect((await get(`/nowhere?token=${token}`)).status).toBe(404);
    const body = JSON.stringify({ type: 'fraud.alert', data: {} });
    const forged = signedHeaders([WebhookSecret.parse(secretWrong)], 'msg_forged', Math.floor(Date.now() / 1000), body);
    expect((await fetch(`${dashboard.url}/webhooks/alerts`, { method: 'POST', headers: { ...forged, 'content-type': 'application/json' }, body })).status).toBe(401);
    const signedJunk = signedHeaders([WebhookSecret.parse(secretNew)], 'msg_junk', Math.floor(Date.now() / 1000), body);
    expect((await fetch(`${dashboard.url}/webhooks/alerts`, { method: 'POST', headers: { ...signedJunk, 'content-type': 'application/json' }, body })).status).toBe(400);

    await dispatcher.stop();
    await streams.close();
    await dashboard.close();
    await stranger.close();

    const logged = text();
    console.info(`secrets test: searched ${lines()} log lines (${logged.length} bytes) from the engine, the dispatcher and two dashboards`);
    expect(lines()).toBeGreaterThan(10);
    expect(logged).toMatch(/webhook rejected/); // the failure paths did log
    for (const secret of [secretNew, secretOld, secretWrong]) {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      for (const form of [secret, secret.slice('whsec_'.length), key.toString('hex'), key.toString('base64url'), JSON.stringify([...key]).slice(1, 40)]) {
        expect(logged.includes(form), `a secret appears in the logs as ${form.slice(0, 12)}…`).toBe(false);
      }
    }
    for (const form of [token, encodeURIComponent(token), token.slice(0, 20)]) expect(logged.includes(form), 'the dashboard token appears in the logs').toBe(false);
  }, 150_000);
});
