import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AlertFeed } from './alert-feed.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/stream`: Server-Sent Events. A `snapshot` first (recent alerts
 * and stats), then `alert` for each new alert and `stats` after it. SSE
 * rather than WebSocket: one direction is all the page needs, it survives
 * proxies, and the browser reconnects on its own.
 */
export function alertStream(app: FastifyInstance, feed: AlertFeed, clients: Set<FastifyReply>): void {
  app.get('/api/stream', async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    send('snapshot', { alerts: feed.recent(100), stats: feed.stats() });
    const unsubscribe = feed.subscribe((a) => {
      send('alert', a);
      send('stats', feed.stats());
    });
    const heartbeat = setInterval(() => {
      res.write(': keep-alive\n\n');
      send('stats', feed.stats());
    }, HEARTBEAT_MS);
    clients.add(reply);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      clients.delete(reply);
    });
  });
}
