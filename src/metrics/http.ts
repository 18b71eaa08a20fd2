import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** `http://127.0.0.1:<port>/metrics` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A bare HTTP server for `/metrics`, for processes that have no fastify app
 * (the engine, the dispatcher). Port 0 picks a free one.
 */
export async function serveMetrics(registry: Registry, port = 0, host = '127.0.0.1'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/metrics`,
    port: actual,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
