import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertWebhookBody } from '../../src/webhook/alert-envelope.js';
import type { WebhookSecret } from '../../src/webhook/secret.js';
import { verify } from '../../src/webhook/signature.js';

export interface Receiver {
  url: string;
  /** Append → 2xx latency in ms, one per distinct webhook-id. */
  latencies: number[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

async function closeServer(server: Server, hanging: Set<ServerResponse> = new Set()): Promise<void> {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * A receiver that verifies the signature, answers 204, and records the
 * latency from the alert's append (its Kafka timestamp, carried in the body)
 * to the moment it answers.
 */
export async function healthyReceiver(secrets: readonly WebhookSecret[], onDelivered?: (body: AlertWebhookBody, answeredAtMs: number) => void): Promise<Receiver> {
  const latencies: number[] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const { id } = verify({ secrets, headers: req.headers, body, nowMs: Date.now() });
      const parsed = JSON.parse(body) as AlertWebhookBody;
      res.writeHead(204).end();
      if (!seen.has(id)) {
        seen.add(id);
        const now = Date.now();
        latencies.push(now - parsed.data.source_timestamp_ms);
        onDelivered?.(parsed, now);
      }
    });
  });
  const url = await listen(server);
  return { url, latencies, close: () => closeServer(server) };
}

/** A black hole: accepts connections and requests, never answers (the worst kind of dead). */
export async function deadReceiver(): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((_req, res) => void hanging.add(res));
  const url = await listen(server);
  return { url, latencies: [], close: () => closeServer(server, hanging) };
}
