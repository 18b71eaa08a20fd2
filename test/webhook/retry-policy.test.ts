import { describe, expect, it } from 'vitest';
import { classifyStatus, defaultRetryPolicy, parseRetryAfter, retryDelay } from '../../src/webhook/retry-policy.js';
import { seededRandom } from '../../src/webhook/scheduler.js';

describe('retry policy', () => {
  it('doubles the nominal delay per failure up to the cap, with jitter between half and all of it', () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((f) => retryDelay(policy, f, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((f) => retryDelay(policy, f, () => 0.999999))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('spreads a burst of retries (seeded jitter gives distinct delays)', () => {
    const random = seededRandom(42);
    const delays = Array.from({ length: 20 }, () => retryDelay(defaultRetryPolicy, 3, random));
    expect(new Set(delays).size).toBeGreaterThan(15);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1_000);
  });

  it('treats Retry-After as a floor, capped by maxRetryAfterMs', () => {
    expect(retryDelay(defaultRetryPolicy, 1, () => 0, 30_000)).toBe(30_000);
    expect(retryDelay(defaultRetryPolicy, 1, () => 0, 3_600_000)).toBe(defaultRetryPolicy.maxRetryAfterMs);
    expect(retryDelay(defaultRetryPolicy, 1, () => 0, 10)).toBe(250);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('classifies statuses: 2xx delivered, 410 gone, 429/502/503/504 slow down, others retried', () => {
    expect([200, 204, 410, 429, 502, 503, 504, 500, 400, 404].map(classifyStatus)).toEqual([
      'delivered', 'delivered', 'gone', 'slow-down', 'slow-down', 'slow-down', 'slow-down', 'retry', 'retry', 'retry',
    ]);
  });
});

describe('the default retry schedule', () => {
  it('outlasts a receiver that is down for two minutes, even when every wait draws the least jitter', () => {
    const waits = Array.from({ length: defaultRetryPolicy.maxAttempts - 1 }, (_, i) => retryDelay(defaultRetryPolicy, i + 1, () => 0));
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(120_000);
    expect(total).toBeLessThan(10 * 60_000); // and still gives up within minutes, not hours
  });
});
