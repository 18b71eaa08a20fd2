import { describe, expect, it } from 'vitest';
import { WebhookVerificationError } from '../../src/webhook/errors.js';
import { ReplayGuard } from '../../src/webhook/replay-guard.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { sign, signedHeaders, verify } from '../../src/webhook/signature.js';

// Published Standard Webhooks test vector (the spec's reference libraries all test it).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const secret = WebhookSecret.parse(VECTOR.secret);
const nowMs = VECTOR.timestamp * 1000;
const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookVerificationError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('Standard Webhooks signatures', () => {
  it('signs the published test vector to the published signature', () => {
    expect(sign(secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('accepts the published vector, with or without the whsec_ prefix', () => {
    expect(verify({ secrets: [secret], headers, body: VECTOR.body, nowMs })).toEqual({ id: VECTOR.id, timestamp: VECTOR.timestamp });
    const bare = WebhookSecret.parse(VECTOR.secret.slice('whsec_'.length));
    expect(reasonOf(() => verify({ secrets: [bare], headers, body: VECTOR.body, nowMs }))).toBe('accepted');
  });

  it('accepts a header listing several signatures when one matches (the spec vector with v1/v2 decoys)', () => {
    const decoy = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const multi = { ...headers, 'webhook-signature': [`v1,${decoy}`, `v2,${decoy}`, VECTOR.signature, `v1,${decoy}`].join(' ') };
    expect(reasonOf(() => verify({ secrets: [secret], headers: multi, body: VECTOR.body, nowMs }))).toBe('accepted');
  });

  it('verifies messages signed during a rotation by either the old or the new secret', () => {
    const next = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(24, 7)));
    const h = signedHeaders([next, secret], VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(h['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(reasonOf(() => verify({ secrets: [secret], headers: h, body: VECTOR.body, nowMs }))).toBe('accepted');
    expect(reasonOf(() => verify({ secrets: [next], headers: h, body: VECTOR.body, nowMs }))).toBe('accepted');
  });

  it('rejects a tampered body', () => {
    expect(reasonOf(() => verify({ secrets: [secret], headers, body: '{"test": 2432232315}', nowMs }))).toBe('no-matching-signature');
  });

  it('rejects a tampered id or timestamp (both are signed)', () => {
    expect(reasonOf(() => verify({ secrets: [secret], headers: { ...headers, 'webhook-id': 'msg_other' }, body: VECTOR.body, nowMs }))).toBe(
      'no-matching-signature',
    );
    const ts = String(VECTOR.timestamp + 1);
    expect(reasonOf(() => verify({ secrets: [secret], headers: { ...headers, 'webhook-timestamp': ts }, body: VECTOR.body, nowMs }))).toBe(
      'no-matching-signature',
    );
  });

  it('rejects the wrong secret, partial and non-v1 signatures', () => {
    const other = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(24, 1)));
    expect(reasonOf(() => verify({ secrets: [other], headers, body: VECTOR.body, nowMs }))).toBe('no-matching-signature');
    for (const sig of ['v1,dawfeoifkpqwoekfpqoekf', VECTOR.signature.slice(0, 8), 'v1,', VECTOR.signature.replace('v1,', 'v2,')]) {
      expect(reasonOf(() => verify({ secrets: [secret], headers: { ...headers, 'webhook-signature': sig }, body: VECTOR.body, nowMs }))).toBe(
        'no-matching-signature',
      );
    }
  });

  it('rejects an expired timestamp (more than 5 minutes old) and accepts one at the edge', () => {
    expect(reasonOf(() => verify({ secrets: [secret], headers, body: VECTOR.body, nowMs: nowMs + 301_000 }))).toBe('expired');
    expect(reasonOf(() => verify({ secrets: [secret], headers, body: VECTOR.body, nowMs: nowMs + 300_000 }))).toBe('accepted');
  });

  it('rejects a timestamp more than 5 minutes in the future', () => {
    expect(reasonOf(() => verify({ secrets: [secret], headers, body: VECTOR.body, nowMs: nowMs - 301_000 }))).toBe('future');
  });

  it('rejects missing headers and a non-numeric timestamp', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const h: Record<string, string> = { ...headers };
      delete h[name];
      expect(reasonOf(() => verify({ secrets: [secret], headers: h, body: VECTOR.body, nowMs }))).toBe('missing-headers');
    }
    expect(reasonOf(() => verify({ secrets: [secret], headers: { ...headers, 'webhook-timestamp': 'hello' }, body: VECTOR.body, nowMs }))).toBe(
      'bad-timestamp',
    );
  });
});

describe('ReplayGuard', () => {
  it('rejects a replayed message (same webhook-id and timestamp) within the tolerance window', () => {
    const guard = new ReplayGuard();
    expect(guard.check(VECTOR.id, VECTOR.timestamp, nowMs)).toBe('new');
    expect(reasonOf(() => guard.check(VECTOR.id, VECTOR.timestamp, nowMs + 1_000))).toBe('replayed');
    expect(guard.check('msg_other', VECTOR.timestamp, nowMs + 1_000)).toBe('new');
  });

  it('recognises a re-signed retry of an accepted id as a duplicate, not a replay', () => {
    const guard = new ReplayGuard();
    guard.check(VECTOR.id, VECTOR.timestamp, nowMs);
    expect(guard.check(VECTOR.id, VECTOR.timestamp + 3, nowMs + 3_000)).toBe('duplicate');
    expect(reasonOf(() => guard.check(VECTOR.id, VECTOR.timestamp + 3, nowMs + 4_000))).toBe('replayed');
  });

  it('forgets ids after twice the tolerance, when their timestamps are stale anyway', () => {
    const guard = new ReplayGuard({ toleranceSeconds: 300 });
    guard.check(VECTOR.id, 1, nowMs);
    guard.check('msg_b', 1, nowMs + 1);
    expect(guard.size).toBe(2);
    guard.check('msg_c', 1, nowMs + 600_000);
    expect(guard.size).toBe(2);
    expect(guard.check(VECTOR.id, 1, nowMs + 600_002)).toBe('new');
  });
});

describe('WebhookSecret', () => {
  it('never prints its key', () => {
    const text = `${JSON.stringify({ secret })} ${String(secret)}`;
    expect(text).not.toContain('MfKQ9r8');
    expect(text).toContain('[redacted]');
  });

  it('resolves env: and refuses inline secrets', () => {
    expect(WebhookSecret.resolve('env:HOOK', { HOOK: VECTOR.secret }).keyBytes()).toEqual(secret.keyBytes());
    expect(() => WebhookSecret.resolve(VECTOR.secret)).toThrow(/never inline/);
    expect(() => WebhookSecret.resolve('env:NOPE', {})).toThrow(/NOPE is not set/);
    expect(() => WebhookSecret.parse('whsec_c2hvcnQ=')).toThrow(/at least 16/);
  });
});
