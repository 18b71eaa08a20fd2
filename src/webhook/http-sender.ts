import { Pool } from 'undici';
import type { EndpointConfig } from './config.js';

/** What one POST came to. `status` is absent when no response arrived (refused, reset, timeout). */
export interface SendResult {
  status?: number;
  retryAfter?: string;
  error?: string;
  durationMs: number;
}

/** Sends one signed POST. The HTTP implementation is swappable for tests. */
export interface Sender {
  send(endpoint: EndpointConfig, headers: Record<string, string>, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * undici keep-alive pools, one per endpoint, sized to the endpoint's
 * concurrency: connections are reused across alerts, and a slow endpoint
 * can only tie up its own sockets.
 */
export class HttpSender implements Sender {
  readonly #pools = new Map<string, Pool>();

  #pool(endpoint: EndpointConfig): Pool {
    let pool = this.#pools.get(endpoint.name);
    if (!pool) {
      pool = new Pool(new URL(endpoint.url).origin, {
        connections: endpoint.concurrency,
        keepAliveTimeout: 30_000,
        connectTimeout: endpoint.timeoutMs,
        headersTimeout: endpoint.timeoutMs,
        bodyTimeout: endpoint.timeoutMs,
      });
      this.#pools.set(endpoint.name, pool);
    }
    return pool;
  }

  async send(endpoint: EndpointConfig, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const url = new URL(endpoint.url);
    try {
      const res = await this.#pool(endpoint).request({
        method: 'POST',
        path: url.pathname + url.search,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'vigil-webhooks/1' },
        body,
        // The overall deadline: headers/body timeouts alone would let a trickling receiver hold a slot.
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      });
      await res.body.dump();
      const retryAfter = res.headers['retry-after'];
      return {
        status: res.statusCode,
        ...(retryAfter !== undefined ? { retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter } : {}),
        durationMs: performance.now() - started,
      };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { error: e.name === 'TimeoutError' || e.name === 'AbortError' ? `timeout after ${endpoint.timeoutMs} ms` : (e.code ?? e.message), durationMs: performance.now() - started };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
    this.#pools.clear();
  }
}
