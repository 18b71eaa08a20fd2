import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReplayGuard } from '../../src/webhook/replay-guard.js';
import type { WebhookSecret } from '../../src/webhook/secret.js';
import { verify } from '../../src/webhook/signature.js';
import { defer } from './harness.js';

export interface Delivery {
  webhookId: string;
  alertId: string;
  /** When the receiver accepted it (ms). */
  at: number;
}

/**
 * A webhook endpoint as a real one would be: it verifies the signature,
 * deduplicates by webhook-id (a retry answers 200, a first delivery 204),
 * and records both. `down()` closes the port (connections refused) and
 * `up()` opens the same port again; `delayMs` slows every answer so a
 * dispatcher can be killed mid-delivery.
 */
export async function chaosReceiver(secret: WebhookSecret, options: { delayMs?: number } = {}) {
  const first: Delivery[] = [];
  const accepted: Delivery[] = [];
  let rejected = 0;
  // Remembers ids long enough for the whole scenario: every retry is then recognised.
  const guard = new ReplayGuard({ toleranceSeconds: 60 * 60 });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const answer = () => {
        let v;
        try {
          v = verify({ secrets: [secret], headers: req.headers, body, nowMs: Date.now() });
        } catch {
          rejected++;
          res.writeHead(401).end();
          return;
        }
        const alertId = (JSON.parse(body) as { data: { alert: { alert_id: string } } }).data.alert.alert_id;
        const d = { webhookId: v.id, alertId, at: Date.now() };
        accepted.push(d);
        let seen;
        try {
          seen = guard.check(v.id, v.timestamp, Date.now());
        } catch {
          rejected++; // the same signed message twice: a replay, not a retry
          res.writeHead(401).end();
          return;
        }
        if (seen === 'new') {
          first.push(d);
          res.writeHead(204).end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"duplicate":true}');
        }
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  };
  let server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let isUp = true;
  const close = async () => {
    if (!isUp) return;
    isUp = false;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  defer(close);
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    /** Deliveries that were new by webhook-id: what a deduplicating receiver acts on. */
    first,
    /** Every verified request, retries of an already-delivered alert included. */
    accepted,
    rejected: () => rejected,
    down: close,
    async up() {
      server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      isUp = true;
    },
  };
}
