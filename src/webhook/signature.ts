import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import type { WebhookSecret } from './secret.js';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) symmetric signatures:
 * `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, several
 * space-separated in one `webhook-signature` header while secrets rotate.
 */

export const HEADER_ID = 'webhook-id';
export const HEADER_TIMESTAMP = 'webhook-timestamp';
export const HEADER_SIGNATURE = 'webhook-signature';

/** The spec's default tolerance, in both directions. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const HMAC_BYTES = 32;

function hmac(secret: WebhookSecret, id: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac('sha256', secret.keyBytes()).update(`${id}.${timestamp}.`).update(body).digest();
}

/** One `v1,<base64>` signature. `timestamp` is in epoch seconds. */
export function sign(secret: WebhookSecret, id: string, timestamp: number, body: string | Buffer): string {
  return `v1,${hmac(secret, id, timestamp, body).toString('base64')}`;
}

/** The three Standard Webhooks headers, signed with every secret (newest first during rotation). */
export function signedHeaders(
  secrets: readonly WebhookSecret[],
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): Record<string, string> {
  return {
    [HEADER_ID]: id,
    [HEADER_TIMESTAMP]: String(timestampSeconds),
    [HEADER_SIGNATURE]: secrets.map((s) => sign(s, id, timestampSeconds, body)).join(' '),
  };
}

export interface VerifyOptions {
  secrets: readonly WebhookSecret[];
  /** Header names must be lower-case (as Node and fastify deliver them). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body, exactly as received: re-serialised JSON would not match. */
  body: string | Buffer;
  nowMs: number;
  toleranceSeconds?: number;
}

export interface VerifiedWebhook {
  id: string;
  /** Epoch seconds from `webhook-timestamp`. */
  timestamp: number;
}

function header(headers: VerifyOptions['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks headers, timestamp tolerance and signature; throws a
 * {@link WebhookVerificationError} whose `reason` says which check failed.
 * Every candidate signature is compared in constant time. Replay rejection
 * needs memory across calls: see {@link ReplayGuard}.
 */
export function verify(options: VerifyOptions): VerifiedWebhook {
  const id = header(options.headers, HEADER_ID);
  const ts = header(options.headers, HEADER_TIMESTAMP);
  const sigs = header(options.headers, HEADER_SIGNATURE);
  if (!id || !ts || !sigs) throw new WebhookVerificationError('missing-headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('bad-timestamp', `webhook-timestamp "${ts.slice(0, 20)}" is not epoch seconds`);
  const timestamp = Number(ts);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor(options.nowMs / 1000);
  if (now - timestamp > tolerance) throw new WebhookVerificationError('expired', `timestamp is ${now - timestamp} s old (tolerance ${tolerance} s)`);
  if (timestamp - now > tolerance) throw new WebhookVerificationError('future', `timestamp is ${timestamp - now} s ahead (tolerance ${tolerance} s)`);

  const candidates = sigs
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
    .filter((b) => b.length === HMAC_BYTES);
  for (const secret of options.secrets) {
    const expected = hmac(secret, id, timestamp, options.body);
    // Compare against every candidate, even after a match, so timing does not reveal which one matched.
    let matched = false;
    for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched;
    if (matched) return { id, timestamp };
  }
  throw new WebhookVerificationError('no-matching-signature', `none of ${candidates.length} v1 signature(s) matches the ${options.secrets.length} configured secret(s)`);
}
