import { pino } from 'pino';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { PreparedAlert } from '../../src/webhook/alert-envelope.js';
import { dispatcherConfig, type EndpointInput } from '../../src/webhook/config.js';
import { MemoryDeliveryState } from '../../src/webhook/delivery-state.js';
import { DeliveryEngine } from '../../src/webhook/delivery-engine.js';
import type { AttemptEvent, DeliveryOutcome } from '../../src/webhook/endpoint-lane.js';
import { HttpSender } from '../../src/webhook/http-sender.js';
import type { RetryPolicy } from '../../src/webhook/retry-policy.js';
import { ManualScheduler } from '../../src/webhook/scheduler.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { verify } from '../../src/webhook/signature.js';
import { flakyReceiver, type Script } from './flaky-receiver.js';

const secret = WebhookSecret.parse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const log = pino({ level: 'silent' });
const T0 = 1_700_000_000_000;

function alert(n: number): PreparedAlert {
  return { id: `msg_${n}`, body: JSON.stringify({ type: 'fraud.alert', n }), topic: 'alerts', partition: 0, offset: String(n), raw: Buffer.from([n]), cardId: 'card-1', sourceTimestampMs: T0 - 250 };
}

interface Harness {
  engine: DeliveryEngine;
  scheduler: ManualScheduler;
  state: MemoryDeliveryState;
  deadLetters: Array<{ id: string; endpoint: string; reason: string; attempts: number }>;
  attempts: AttemptEvent[];
  metrics: string[];
}

function harness(endpoints: EndpointInput[], retry: Partial<RetryPolicy> = {}, state = new MemoryDeliveryState()): Harness {
  const config = dispatcherConfig({ brokers: '127.0.0.1:1', endpoints, retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5, ...retry } });
  const scheduler = new ManualScheduler(T0);
  const sender = new HttpSender();
  const deadLetters: Harness['deadLetters'] = [];
  const attempts: AttemptEvent[] = [];
  const metrics: string[] = [];
  const engine = new DeliveryEngine(config.endpoints, {
    retry: config.retry,
    scheduler,
    random: () => 0.5, // equal jitter at 0.5 → exactly 3/4 of the nominal delay
    sender,
    state,
    log,
    deadLetter: async (a, endpoint, reason, n) => void deadLetters.push({ id: a.id, endpoint, reason, attempts: n }),
    onAttempt: (e) => attempts.push(e),
    metrics: {
      attempt: (endpoint, outcome) => metrics.push(`attempt ${endpoint} ${outcome}`),
      delivered: (endpoint, seconds) => metrics.push(`delivered ${endpoint} ${seconds}`),
      deadLettered: (endpoint, reason) => metrics.push(`dead-lettered ${endpoint} ${reason}`),
    },
  });
  onTestFinished(async () => {
    engine.close();
    await sender.close();
  });
  return { engine, scheduler, state, deadLetters, attempts, metrics };
}

async function endpointFor(script: Script, extra: Partial<EndpointInput> = {}): Promise<{ input: EndpointInput; requests: Awaited<ReturnType<typeof flakyReceiver>>['requests'] }> {
  const r = await flakyReceiver(script);
  return { input: { name: 'ops', url: r.url, secrets: [secret], ...extra }, requests: r.requests };
}

/** Waits until the lane has processed the response (a timer for the retry is set). */
const settled = (h: Harness) => vi.waitFor(() => expect(h.scheduler.nextTimerAt()).toBeDefined(), { timeout: 2_000, interval: 5 });

describe('EndpointLane retries', () => {
  it('retries failures with exponential backoff, persists the schedule, and delivers signed requests', async () => {
    const { input, requests } = await endpointFor((n) => ({ status: n < 3 ? 500 : 204 }));
    const h = harness([input]);
    const outcome = h.engine.deliver(alert(1));

    const expectedDelays = [750, 1_500, 3_000]; // 3/4 of 1 s, 2 s, 4 s
    for (const [i, delay] of expectedDelays.entries()) {
      await vi.waitFor(() => expect(requests).toHaveLength(i + 1));
      await settled(h);
      expect(h.scheduler.nextTimerAt()! - h.scheduler.now()).toBe(delay);
      expect(h.state.pending('ops', 'msg_1')).toEqual({ attempts: i + 1, nextAt: h.scheduler.now() + delay, lastError: 'HTTP 500' });
      h.scheduler.advance(delay - 1);
      expect(requests).toHaveLength(i + 1);
      h.scheduler.advance(1);
    }
    expect(await outcome).toEqual([{ endpoint: 'ops', id: 'msg_1', result: 'delivered', attempts: 4 }]);
    expect(h.state.pending('ops', 'msg_1')).toBeUndefined();
    // Metric hooks: bounded outcome labels; end-to-end from the source timestamp (T0 − 250 ms) to the 2xx.
    expect(h.metrics).toEqual(['attempt ops 5xx', 'attempt ops 5xx', 'attempt ops 5xx', 'attempt ops 2xx', `delivered ops ${(750 + 1_500 + 3_000 + 250) / 1000}`]);
    // Every attempt carries the same id and verifies.
    for (const r of requests) {
      expect(r.headers['webhook-id']).toBe('msg_1');
      expect(verify({ secrets: [secret], headers: r.headers, body: r.body, nowMs: T0 + 10_000 }).id).toBe('msg_1');
    }
  });

  it('honours Retry-After on 429, halves the concurrency and pauses the whole endpoint', async () => {
    const { input, requests } = await endpointFor((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }), { concurrency: 4 });
    const h = harness([input]);
    const first = h.engine.deliver(alert(1));
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    await settled(h);
    expect(h.engine.status()[0]).toMatchObject({ concurrency: 2, pausedUntil: T0 + 7_000 });

    const second = h.engine.deliver(alert(2)); // arrives during the pause: must wait too
    h.scheduler.advance(6_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toHaveLength(1);
    h.scheduler.advance(1);
    expect((await first)[0]?.result).toBe('delivered');
    expect((await second)[0]?.attempts).toBe(1);
    expect(requests.map((r) => r.headers['webhook-id']).sort()).toEqual(['msg_1', 'msg_1', 'msg_2']);
    expect(h.engine.status()[0]?.concurrency).toBe(4); // one success per step back up to the limit
  });

  it('dead-letters after the last attempt with the reason, and clears the pending retry', async () => {
    const { input, requests } = await endpointFor(() => ({ status: 503 }));
    const h = harness([input], { maxAttempts: 3 });
    const outcome = h.engine.deliver(alert(1));
    for (let i = 1; i <= 2; i++) {
      await vi.waitFor(() => expect(requests).toHaveLength(i));
      await settled(h);
      h.scheduler.advance(h.scheduler.nextTimerAt()! - h.scheduler.now());
    }
    const [result] = await outcome;
    expect(requests).toHaveLength(3);
    expect(result).toMatchObject({ result: 'dead-lettered', attempts: 3, reason: 'gave up after 3 attempts; last: HTTP 503' });
    expect(h.deadLetters).toEqual([{ id: 'msg_1', endpoint: 'ops', reason: 'gave up after 3 attempts; last: HTTP 503', attempts: 3 }]);
    expect(h.state.pendingCount()).toBe(0);
    expect(h.metrics.at(-1)).toBe('dead-lettered ops exhausted');
  });

  it('disables the endpoint on 410: its alert and every later one go to the DLQ without a request', async () => {
    const { input, requests } = await endpointFor(() => ({ status: 410 }));
    const h = harness([input]);
    expect((await h.engine.deliver(alert(1)))[0]).toMatchObject({ result: 'dead-lettered', attempts: 1, reason: 'endpoint disabled: HTTP 410 Gone' });
    expect((await h.engine.deliver(alert(2)))[0]).toMatchObject({ result: 'dead-lettered', attempts: 0 });
    expect(requests).toHaveLength(1);
    expect(h.deadLetters.map((d) => d.id)).toEqual(['msg_1', 'msg_2']);
    expect(h.state.disabled({ name: 'ops', url: input.url } as never)?.reason).toMatch(/410/);
    expect(h.engine.status()[0]?.disabled).toMatch(/410/);
  });

  it('resumes a persisted retry schedule instead of starting over', async () => {
    const { input, requests } = await endpointFor(() => ({ status: 500 }));
    const state = new MemoryDeliveryState();
    await state.savePending('ops', 'msg_1', { attempts: 2, nextAt: T0 + 5_000, lastError: 'HTTP 500' });
    const h = harness([input], { maxAttempts: 3 }, state);
    const outcome = h.engine.deliver(alert(1));
    h.scheduler.advance(4_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toHaveLength(0);
    h.scheduler.advance(1);
    expect((await outcome)[0]).toMatchObject({ result: 'dead-lettered', attempts: 3 });
    expect(requests).toHaveLength(1);
  });

  it('keeps a healthy endpoint fast while another endpoint hangs', async () => {
    const healthy = await flakyReceiver(() => ({ status: 204 }));
    const dead = await flakyReceiver(() => 'hang');
    const h = harness([
      { name: 'healthy', url: healthy.url, secrets: [secret] },
      { name: 'dead', url: dead.url, secrets: [secret], concurrency: 2, timeoutMs: 60_000 },
    ]);
    const outcomes: Array<Promise<DeliveryOutcome[]>> = [];
    const started = performance.now();
    for (let i = 0; i < 50; i++) outcomes.push(h.engine.deliver(alert(i)));
    await vi.waitFor(() => expect(healthy.requests).toHaveLength(50), { timeout: 5_000, interval: 5 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2_000);
    expect(dead.requests).toHaveLength(2); // its concurrency limit, hanging
    expect(h.engine.status().find((s) => s.endpoint === 'dead')?.backlog).toBe(50);
  });
});
