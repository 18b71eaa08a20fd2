import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { FEATURE_KINDS } from '../fraud/features/feature-kinds.js';
import type { Clock } from '../streams/index.js';
import type { FeedbackSink } from '../feedback/feedback-sink.js';
import { VerdictBook } from '../feedback/verdicts.js';
import type { WebhookSecret } from '../webhook/secret.js';
import type { AlertFeed } from './alert-feed.js';
import { presentedToken, requireToken, tokenCookie, tokenMatches } from './auth.js';
import { alertCardHistory, type CardHistoryProvider } from './card-history.js';
import { DashboardError } from './errors.js';
import { metricsText } from './metrics-text.js';
import { newReceiverCounters, webhookReceiver } from './receiver.js';
import { alertStream } from './sse.js';
import { loadAssets } from './static-assets.js';
import { verdictRoutes } from './verdict-routes.js';

export interface DashboardOptions {
  /** Required for the page and its API (cookie, `?token=` or `Authorization: Bearer`). */
  token: string;
  /** Secrets the webhook receiver accepts (several during rotation). */
  secrets: readonly WebhookSecret[];
  feed: AlertFeed;
  clock: Clock;
  /** Recent transactions per card; defaults to what the alerts carried. */
  cardHistory?: CardHistoryProvider;
  toleranceSeconds?: number;
  /** Where analyst verdicts are written (the `alert-feedback` topic); without it the page offers none. */
  feedback?: FeedbackSink;
}

const MIN_TOKEN_LENGTH = 16;

/**
 * The fraud-operations dashboard as a fastify plugin.
 *
 * Routes: `GET /` (the page), `GET /assets/*`, `GET /api/alerts`,
 * `GET /api/stats`, `GET /api/cards/:cardId/transactions`,
 * `GET /api/stream` (SSE), `POST /api/alerts/:id/verdict` and
 * `GET /api/verdicts` (when a feedback sink is given), `POST /webhooks/alerts` (signature-checked,
 * no token), `GET /healthz`, `GET /metrics`. SSE streams are ended in
 * `preClose`, so `app.close()` does not wait on open pages.
 */
export async function dashboardPlugin(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  if (typeof options.token !== 'string' || options.token.length < MIN_TOKEN_LENGTH) {
    throw new DashboardError('VIGIL_ERR_DASHBOARD_CONFIG', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (options.secrets.length === 0) throw new DashboardError('VIGIL_ERR_DASHBOARD_CONFIG', 'the webhook receiver needs at least one secret');
  const { feed, token } = options;
  const history = options.cardHistory ?? alertCardHistory(feed);
  const assets = loadAssets();
  const counters = newReceiverCounters();
  const sseClients = new Set<FastifyReply>();
  const verdicts = new VerdictBook();
  for (const f of options.feedback?.existing?.() ?? []) verdicts.record(f);
  app.addHook('preClose', async () => {
    for (const c of sseClients) c.raw.end();
  });
  // Callers see the status and its standard phrase, never an error message:
  // fastify's default handler would echo parser and internal messages (and a
  // 500's text) to whoever sent the request. The detail goes to the log.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) req.log.error({ err: error, url: req.url.split('?')[0] }, 'dashboard request failed');
    else req.log.info({ code: error.code, status, url: req.url.split('?')[0] }, 'dashboard request refused');
    return reply.code(status).send({ error: (STATUS_CODES[status] ?? 'Error').toLowerCase() });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  await app.register((child, _opts, done) => {
    void webhookReceiver(child, {
      secrets: options.secrets,
      feed,
      clock: options.clock,
      counters,
      ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
    }).then(() => done(), done);
  });

  app.get('/healthz', async () => ({ status: 'ok', alerts: feed.stats().total }));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metricsText(feed, counters, sseClients.size)));

  app.get('/', async (req, reply) => {
    const presented = presentedToken(req);
    if (!tokenMatches(token, presented)) {
      return reply.code(401).type('text/html; charset=utf-8').send('<!doctype html><title>Vigil</title><p>Open the dashboard with the URL printed by <code>vigil dashboard</code>.</p>');
    }
    // Trade the token in the URL for a cookie, so it leaves the address bar and the history.
    if ((req.query as { token?: string }).token !== undefined) return reply.header('set-cookie', tokenCookie(token)).redirect('/');
    const page = assets.get('index.html')!;
    return reply.type(page.type).header('cache-control', 'no-store').send(page.body);
  });
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (!asset || req.params.name === 'index.html') return reply.code(404).send();
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });

  await app.register(async (api) => {
    api.addHook('preHandler', requireToken(token));
    api.get<{ Querystring: { limit?: string } }>('/api/alerts', async (req) => ({ alerts: feed.recent(Math.min(500, Number(req.query.limit ?? 100) || 100)) }));
    api.get('/api/stats', async () => feed.stats());
    // How to show each feature's value (count, money, ratio, flag, km/h…): the page formats by kind.
    api.get('/api/features', async () => ({ kinds: FEATURE_KINDS }));
    api.get<{ Params: { cardId: string }; Querystring: { limit?: string } }>('/api/cards/:cardId/transactions', async (req) => ({
      cardId: req.params.cardId,
      source: history.source,
      transactions: await history.recentTransactions(req.params.cardId, Math.min(50, Number(req.query.limit ?? 10) || 10)),
    }));
    if (options.feedback) verdictRoutes(api, { feed, sink: options.feedback, book: verdicts, clock: options.clock });
    else api.get('/api/verdicts', async () => ({ disabled: true }));
    alertStream(api, feed, sseClients);
  });
}
