import Fastify, { type FastifyInstance } from 'fastify';
import { verify, type WebhookSecret } from '../../src/webhook/index.js';

export interface ShippingRequest {
  webhookId: string;
  status: number;
  orderId?: string;
  reason?: string;
}

/**
 * A third-party warehouse API: a real fastify server on 127.0.0.1 that
 * verifies Standard Webhooks signatures on the raw body and answers with a
 * tracking id. `failNext(n)` makes it answer 503 n times (an outage that
 * recovers); `garbleNext(n)` answers 200 with a body that names no tracking
 * id, to exercise response validation.
 */
export class MockShippingApi {
  readonly requests: ShippingRequest[] = [];
  /** Order id → tracking id; one entry per shipment, however often it was sent. */
  readonly shipments = new Map<string, string>();
  private failures = 0;
  private garbles = 0;
  private constructor(private readonly app: FastifyInstance, readonly url: string) {}

  static async start(secrets: readonly WebhookSecret[], port = 0): Promise<MockShippingApi> {
    const app = Fastify({ logger: false });
    const holder: { api?: MockShippingApi } = {};
    // Signatures cover the exact bytes: keep the body as a string.
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post('/webhooks/shipments', async (req, reply) => {
      const api = holder.api!;
      const raw = req.body as string;
      const entry: ShippingRequest = { webhookId: String(req.headers['webhook-id'] ?? ''), status: 200 };
      api.requests.push(entry);
      try {
        verify({ secrets, headers: req.headers, body: raw, nowMs: Date.now() });
      } catch (err) {
        entry.status = 401;
        entry.reason = (err as Error).message;
        return reply.code(401).send({ error: entry.reason });
      }
      if (api.failures > 0) {
        api.failures--;
        entry.status = 503;
        return reply.code(503).send({ error: 'warehouse system down' });
      }
      const data = (JSON.parse(raw) as { data: { order_id: string } }).data;
      entry.orderId = data.order_id;
      if (api.garbles > 0) {
        api.garbles--;
        return reply.code(200).send({ ok: true });
      }
      // A resend (same order) gets the same tracking id: the warehouse ships once.
      let tracking = api.shipments.get(data.order_id);
      if (!tracking) {
        tracking = `TRK-${data.order_id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`.slice(0, 44);
        api.shipments.set(data.order_id, tracking);
      }
      return reply.code(200).send({ order_id: data.order_id, tracking_id: tracking });
    });
    const address = await app.listen({ host: '127.0.0.1', port });
    holder.api = new MockShippingApi(app, `${address}/webhooks/shipments`);
    return holder.api;
  }

  failNext(n: number): void {
    this.failures = n;
  }

  garbleNext(n: number): void {
    this.garbles = n;
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
