import type { FastifyInstance } from 'fastify';
import type { Alert } from '../fraud/schema/index.js';
import type { Clock } from '../streams/index.js';
import { WebhookVerificationError, type VerifyFailure } from '../webhook/errors.js';
import { ReplayGuard } from '../webhook/replay-guard.js';
import type { WebhookSecret } from '../webhook/secret.js';
import { verify } from '../webhook/signature.js';
import type { AlertFeed } from './alert-feed.js';

export interface ReceiverOptions {
  secrets: readonly WebhookSecret[];
  feed: AlertFeed;
  clock: Clock;
  toleranceSeconds?: number;
  counters: ReceiverCounters;
}

/** Counts for /metrics; labels are bounded (results and failure reasons). */
export interface ReceiverCounters {
  accepted: number;
  duplicate: number;
  invalidPayload: number;
  rejected: Map<VerifyFailure, number>;
}

export const newReceiverCounters = (): ReceiverCounters => ({ accepted: 0, duplicate: 0, invalidPayload: 0, rejected: new Map() });

function alertFrom(body: unknown): { alert: Alert; sourceTimestampMs: number } | undefined {
  const b = body as { type?: unknown; data?: { alert?: Alert; source_timestamp_ms?: unknown } } | null;
  if (!b || b.type !== 'fraud.alert' || typeof b.data?.alert !== 'object' || b.data.alert === null) return undefined;
  const ts = typeof b.data.source_timestamp_ms === 'number' ? b.data.source_timestamp_ms : NaN;
  if (!Array.isArray(b.data.alert.reasons)) return undefined;
  return { alert: b.data.alert, sourceTimestampMs: Number.isFinite(ts) ? ts : 0 };
}

/**
 * `POST /webhooks/alerts`: the Standard Webhooks receiver. The raw body is
 * verified before it is parsed. Failures answer a bare 401; the reason goes
 * to the log only, so a prober learns nothing about which check failed.
 */
export async function webhookReceiver(app: FastifyInstance, options: ReceiverOptions): Promise<void> {
  const guard = new ReplayGuard(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {});
  // Verification needs the exact bytes; this parser applies to this plugin's routes only.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/alerts', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    const now = options.clock.now();
    let verdict: 'new' | 'duplicate';
    let id: string;
    try {
      const verified = verify({
        secrets: options.secrets,
        headers: req.headers,
        body: raw,
        nowMs: now,
        ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
      });
      id = verified.id;
      verdict = guard.check(verified.id, verified.timestamp, now);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      options.counters.rejected.set(err.reason, (options.counters.rejected.get(err.reason) ?? 0) + 1);
      req.log.warn({ reason: err.reason, detail: err.message, webhookId: req.headers['webhook-id'] }, 'webhook rejected');
      return reply.code(401).send();
    }
    if (verdict === 'duplicate') {
      options.counters.duplicate++;
      return reply.code(200).send({ duplicate: true });
    }
    let parsed: ReturnType<typeof alertFrom>;
    try {
      parsed = alertFrom(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      // Signed by a holder of the secret but not an alert: a sender bug. Forget the id so a fixed retry is accepted.
      guard.release(id);
      options.counters.invalidPayload++;
      req.log.warn({ webhookId: id, code: 'VIGIL_ERR_DASHBOARD_PAYLOAD' }, 'verified webhook without a fraud.alert body');
      return reply.code(400).send({ error: 'not a fraud.alert payload' });
    }
    options.counters.accepted++;
    options.feed.add(id, parsed.alert, parsed.sourceTimestampMs);
    return reply.code(204).send();
  });
}
