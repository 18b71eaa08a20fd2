import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import type { Clock } from '../streams/index.js';
import { AlertFeed } from './alert-feed.js';
import type { CardHistoryProvider } from './card-history.js';
import { dashboardPlugin } from './plugin.js';
import type { WebhookSecret } from '../webhook/secret.js';
import type { FeedbackSink } from '../feedback/feedback-sink.js';

export interface DashboardServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token: string;
  secrets: readonly WebhookSecret[];
  clock: Clock;
  log: Logger;
  cardHistory?: CardHistoryProvider;
  /** Enables analyst verdicts, written here. */
  feedback?: FeedbackSink;
}

export interface DashboardServer {
  app: FastifyInstance;
  feed: AlertFeed;
  /** Base URL, e.g. http://127.0.0.1:8088 */
  url: string;
  /** The page URL with its token: what the command prints. */
  pageUrl: string;
  close(): Promise<void>;
}

/** Builds the fastify app with the dashboard plugin (not listening): for `inject()` tests. */
export async function buildDashboardApp(options: Omit<DashboardServerOptions, 'host' | 'port'>, feed = new AlertFeed(options.clock)): Promise<{ app: FastifyInstance; feed: AlertFeed }> {
  // pino's Logger and fastify's FastifyBaseLogger differ only in generics; the instance is the same.
  const app: FastifyInstance = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // One line per request would drown the alerts; failures are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    // Router-level failures (a malformed %-escape in the path, a bad
    // content-type header) happen before any plugin: answer them bare too,
    // instead of fastify's default that echoes the URL and an FST_ code.
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      req.log.info({ code: error.code }, 'dashboard request refused by the router');
      void reply.code(400).send({ error: 'bad request' });
    },
  });
  await app.register(dashboardPlugin, {
    token: options.token,
    secrets: options.secrets,
    feed,
    clock: options.clock,
    ...(options.cardHistory ? { cardHistory: options.cardHistory } : {}),
    ...(options.feedback ? { feedback: options.feedback } : {}),
  });
  return { app, feed };
}

/** Starts the dashboard and listens; `close()` ends open streams and stops the server. */
export async function startDashboard(options: DashboardServerOptions): Promise<DashboardServer> {
  const { app, feed } = await buildDashboardApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { app, feed, url, pageUrl: `${url}/?token=${encodeURIComponent(options.token)}`, close: () => app.close() };
}
