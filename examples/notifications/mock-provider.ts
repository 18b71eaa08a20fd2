import Fastify, { type FastifyInstance } from 'fastify';

/** One request the mock provider received. */
export interface ProviderRequest {
  channel: 'sms' | 'email';
  idempotencyKey: string;
  to: string;
  text: string;
  status: number;
}

/**
 * A stand-in for an SMS/email provider: a real HTTP server on 127.0.0.1
 * that records every request. `failNext(n)` answers the next n requests
 * with 503 (an outage); a repeated idempotency key is acknowledged but not
 * delivered again, as real providers do.
 */
export class MockProvider {
  readonly requests: ProviderRequest[] = [];
  private readonly delivered = new Map<string, ProviderRequest>();
  private failures = 0;
  private constructor(private readonly app: FastifyInstance, readonly url: string) {}

  static async start(port = 0): Promise<MockProvider> {
    const app = Fastify({ logger: false });
    const holder: { provider?: MockProvider } = {};
    app.post<{ Params: { channel: string }; Body: { to?: string; text?: string } }>('/v1/:channel', async (req, reply) => {
      const provider = holder.provider!;
      const channel = req.params.channel;
      if (channel !== 'sms' && channel !== 'email') return reply.code(404).send({ error: `unknown channel ${channel}` });
      const key = String(req.headers['idempotency-key'] ?? '');
      const entry: ProviderRequest = { channel, idempotencyKey: key, to: req.body?.to ?? '', text: req.body?.text ?? '', status: 202 };
      if (provider.failures > 0) {
        provider.failures--;
        entry.status = 503;
      } else if (!key || !entry.to) {
        entry.status = 400;
      }
      provider.requests.push(entry);
      if (entry.status === 202 && !provider.delivered.has(key)) provider.delivered.set(key, entry);
      return reply.code(entry.status).send(entry.status === 202 ? { accepted: true } : { error: entry.status === 503 ? 'provider outage' : 'idempotency-key and to are required' });
    });
    const address = await app.listen({ host: '127.0.0.1', port });
    holder.provider = new MockProvider(app, address);
    return holder.provider;
  }

  /** Answer the next `n` requests with 503. */
  failNext(n: number): void {
    this.failures = n;
  }

  /** Messages delivered to users: one per idempotency key. */
  deliveries(): ProviderRequest[] {
    return [...this.delivered.values()];
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
