import type { FastifyInstance } from 'fastify';
import { FeedbackError, type FeedbackErrorCode } from '../feedback/errors.js';
import type { FeedbackSink } from '../feedback/feedback-sink.js';
import { feedbackFor, parseVerdictRequest, type VerdictBook } from '../feedback/verdicts.js';
import type { Clock } from '../streams/index.js';
import type { AlertFeed } from './alert-feed.js';

export interface VerdictRouteOptions {
  feed: AlertFeed;
  sink: FeedbackSink;
  book: VerdictBook;
  clock: Clock;
}

const STATUS: Partial<Record<FeedbackErrorCode, number>> = {
  VIGIL_ERR_VERDICT_INPUT: 400,
  VIGIL_ERR_VERDICT_UNKNOWN_ALERT: 404,
  VIGIL_ERR_FEEDBACK_WRITE: 503,
};

/**
 * `POST /api/alerts/:id/verdict` and `GET /api/verdicts`, registered inside
 * the token-checked API scope. A verdict is validated, written to Kafka, and
 * only then recorded for the page, so a refused or failed request leaves
 * nothing behind (the caller retries a 503).
 */
export function verdictRoutes(api: FastifyInstance, o: VerdictRouteOptions): void {
  api.post<{ Params: { id: string } }>('/api/alerts/:id/verdict', async (req, reply) => {
    try {
      const request = parseVerdictRequest(req.body);
      const entry = o.feed.get(req.params.id);
      if (!entry || !entry.alert.transaction?.transaction_id) {
        throw new FeedbackError('VIGIL_ERR_VERDICT_UNKNOWN_ALERT', 'no such alert on this dashboard');
      }
      const feedback = feedbackFor(entry.id, entry.alert, request, o.clock.now());
      await o.sink.write(feedback);
      o.book.record(feedback);
      req.log.info({ transactionId: feedback.transaction_id, verdict: feedback.verdict, analyst: feedback.analyst }, 'verdict recorded');
      return reply.code(201).send({ feedback, counts: o.book.counts() });
    } catch (err) {
      if (!(err instanceof FeedbackError)) throw err;
      const status = STATUS[err.code] ?? 500;
      req.log.info({ code: err.code, status, alertId: req.params.id }, 'verdict refused');
      return reply.code(status).send({ error: err.message, code: err.code });
    }
  });
  api.get('/api/verdicts', async () => ({ counts: o.book.counts(), verdicts: o.book.all() }));
}
