import { connect } from 'node:net';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildDashboardApp, startDashboard } from '../../src/dashboard/server.js';
import { ManualClock } from '../../src/streams/index.js';
import { WebhookSecret } from '../../src/webhook/secret.js';
import { signedHeaders } from '../../src/webhook/signature.js';
import { sampleAlert } from '../webhook/alert-fixture.js';

const TOKEN = 'fuzz-token-0123456789abcdef';
const secret = WebhookSecret.parse('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const NOW = 1_764_000_100_000;
const RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 300);

/** What an internal error looks like when it leaks: a stack frame, a source path, an error class or a Node error code. */
const LEAK = /\bat \S+ \(|node_modules|\/work\/|\/src\/|\.ts:\d|\.js:\d|[A-Za-z]+Error\b|FST_ERR|ERR_[A-Z_]+|URI malformed|Unexpected token/;

const tried: Record<string, number> = {};
const count = (what: string) => (tried[what] = (tried[what] ?? 0) + 1);
afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.info(`HTTP fuzzing: ${total} requests (${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')})`);
});

async function setup() {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const { app, feed } = await buildDashboardApp({ token: TOKEN, secrets: [secret], clock: new ManualClock(NOW), log: pino({ level: 'info' }, sink) });
  onTestFinished(() => app.close());
  return { app, feed, logs };
}

function signed(body: string, id = `msg_${Math.random().toString(36).slice(2)}`) {
  return { ...signedHeaders([secret], id, Math.floor(NOW / 1000), body), 'content-type': 'application/json' };
}

function expectClean(res: { statusCode: number; body: string; headers: Record<string, unknown> }, allowed: (status: number) => boolean) {
  expect(allowed(res.statusCode), `status ${res.statusCode}: ${res.body.slice(0, 200)}`).toBe(true);
  expect(res.body).not.toMatch(LEAK);
  expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/injected/i);
}

const is4xx = (s: number) => s >= 400 && s < 500;
// Printable header text: what a client can really send (control characters are refused by the HTTP parser, tested over a socket below).
const headerText = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'.split('')), maxLength: 200 });
const contentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx', '', ';;;', 'application/json; charset=latin-99');

describe('HTTP fuzzing of the webhook receiver (fastify inject)', () => {
  it('answers 4xx to unsigned or wrongly signed requests of any body, content type and webhook headers, and keeps serving', async () => {
    const { app, feed } = await setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 2_000 }), fc.uint8Array({ maxLength: 4_000 }).map((b) => Buffer.from(b)), fc.json()),
        contentTypes,
        fc.record({ 'webhook-id': headerText, 'webhook-timestamp': fc.oneof(headerText, fc.integer().map(String)), 'webhook-signature': fc.oneof(headerText, fc.base64String().map((b) => `v1,${b}`)) }, { requiredKeys: [] }),
        async (payload, contentType, headers) => {
          count('receiver: unsigned');
          const res = await app.inject({ method: 'POST', url: '/webhooks/alerts', payload, headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) } });
          expectClean(res, is4xx);
        },
      ),
      { numRuns: RUNS },
    );
    expect(feed.recent()).toHaveLength(0);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('never fails with 5xx on a correctly signed body that is not an alert (any JSON, any bytes), and the API still answers afterwards', async () => {
    const { app } = await setup();
    const alertish = fc.record({
      type: fc.oneof(fc.constant('fraud.alert'), fc.string()),
      data: fc.oneof(fc.anything(), fc.record({ alert: fc.oneof(fc.anything(), fc.record({ reasons: fc.anything(), transaction: fc.anything(), score: fc.anything() })), source_timestamp_ms: fc.anything() })),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), alertish.map((v) => JSON.stringify(v) ?? 'null'), fc.string({ maxLength: 500 })), async (body) => {
        count('receiver: signed, not an alert');
        const res = await app.inject({ method: 'POST', url: '/webhooks/alerts', payload: body, headers: signed(body) });
        expectClean(res, (s) => s === 204 || s === 200 || s === 400);
      }),
      { numRuns: RUNS },
    );
    for (const url of ['/api/alerts', '/api/stats', '/api/cards/card-1/transactions', '/metrics']) {
      const res = await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('answers 413 to a body over the 1 MiB limit without reading it into the feed', async () => {
    const { app, feed } = await setup();
    const body = JSON.stringify({ type: 'fraud.alert', data: { alert: sampleAlert(1), pad: 'x'.repeat(2 * 1024 * 1024) } });
    count('receiver: huge');
    const res = await app.inject({ method: 'POST', url: '/webhooks/alerts', payload: body, headers: signed(body) });
    expectClean(res, (s) => s === 413);
    expect(feed.recent()).toHaveLength(0);
  });
});

describe('HTTP fuzzing of the dashboard API (fastify inject)', () => {
  const routes = ['/', '/api/alerts', '/api/stats', '/api/stream', '/api/cards/card-1/transactions', '/api/alerts?limit=5'];

  it('answers 401 to every wrong token, however it is presented (bearer, cookie, query), and leaks nothing', async () => {
    const { app } = await setup();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), headerText.filter((t) => t !== TOKEN), fc.constantFrom('bearer', 'cookie', 'query', 'basic', 'none'), async (url, token, how) => {
        count('api: bad token');
        const headers: Record<string, string> =
          how === 'bearer' ? { authorization: `Bearer ${token}` } : how === 'cookie' ? { cookie: `vigil_dashboard=${token}` } : how === 'basic' ? { authorization: `Basic ${token}` } : {};
        const target = how === 'query' ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
        const res = await app.inject({ method: 'GET', url: target, headers });
        expectClean(res, (s) => s === 401);
        expect(res.headers['set-cookie']).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('answers 4xx (never 5xx) to malformed paths, query strings and methods', async () => {
    const { app } = await setup();
    const segment = fc.oneof(headerText.map((s) => s.replace(/[?#]/g, '')), fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2e%2e', '%ZZ', '\u00e9', '//', 'api', 'cards', 'assets', 'index.html'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.option(headerText),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.boolean(),
        async (parts, query, method, withToken) => {
          count('api: malformed path');
          const url = `/${parts.join('/')}${query === null ? '' : `?${query}`}`;
          let res;
          try {
            res = await app.inject({ method: method as 'GET', url, headers: withToken ? { authorization: `Bearer ${TOKEN}` } : {} });
          } catch {
            return; // light-my-request refuses to build the request (not something a socket can carry either)
          }
          // 200 is right for a valid token on a real route; everything else must be a clean 4xx.
          expectClean(res, (s) => is4xx(s) || (withToken && (s === 200 || s === 204 || s === 302)) || (s === 200 && /^\/(assets\/|healthz|metrics)/.test(url)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers 400 to a cookie with a malformed %-escape (it was a 500 carrying "URI malformed")', async () => {
    const { app } = await setup();
    const res = await app.inject({ url: '/api/alerts', headers: { cookie: 'vigil_dashboard=%E0%A4%A' } });
    expectClean(res, (s) => s === 401);
  });
});

/** Sends raw bytes over a socket and returns the raw response (the server closes or answers). */
function raw(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    socket.on('data', (c) => {
      chunks.push(c);
      // One response is all we need; stop at the end of its headers plus a little body.
      const text = Buffer.concat(chunks).toString('latin1');
      if (/\r\n\r\n/.test(text) && (/content-length: 0\r\n/i.test(text) || /\r\n\r\n[\s\S]*[}>]\s*$/.test(text))) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE') resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe('HTTP fuzzing over a real socket', () => {
  async function server() {
    const s = await startDashboard({ token: TOKEN, secrets: [secret], clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
    onTestFinished(() => s.close());
    return { ...s, port: Number(new URL(s.url).port) };
  }

  it.each([
    ['a CR/LF header-injection attempt in a header value', 'GET /api/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\rSet-Cookie: injected=1\r\n\r\n', [400]],
    ['a NUL byte in a header value', 'GET /api/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\u0000b\r\n\r\n', [400]],
    ['an obsolete folded header line', 'GET /api/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n injected\r\n\r\n', [400, 401]],
    ['both Content-Length and Transfer-Encoding (request smuggling)', 'POST /webhooks/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', [400]],
    ['two different Content-Length headers', 'POST /webhooks/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', [400]],
    ['a 32 KiB header (over Node\'s 16 KiB limit)', `GET /api/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(32 * 1024)}\r\n\r\n`, [431]],
    ['a garbage request line', 'FOO /\x01\x02 HTTP/9.9\r\n\r\n', [400]],
    ['a body shorter than its Content-Length, then a close', 'POST /webhooks/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', [0, 400]],
  ])('answers %s with a clean 4xx (or closes) and keeps serving', async (_name, request, statuses) => {
    const { port } = await server();
    count('socket: malformed');
    const response = await raw(port, request, 3_000);
    expect(statuses).toContain(statusOf(response));
    expect(response).not.toMatch(LEAK);
    expect(response).not.toMatch(/^set-cookie: injected/im);
    const health = await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(statusOf(health)).toBe(200);
  });

  it('answers 413 to a 5 MiB chunked webhook body and keeps serving', async () => {
    const { port } = await server();
    count('socket: huge chunked');
    const chunk = 'x'.repeat(64 * 1024);
    let body = '';
    for (let i = 0; i < 80; i++) body += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const response = await raw(port, `POST /webhooks/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
    expect(statusOf(response)).toBe(413);
    expect(response).not.toMatch(LEAK);
    expect(statusOf(await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toBe(200);
  });

  it('answers 4xx to random bytes sent as a request, and keeps serving', async () => {
    const { port } = await server();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        count('socket: random bytes');
        const response = await raw(port, Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]), 1_000);
        const status = statusOf(response);
        expect(status === 0 || is4xx(status), response.slice(0, 100)).toBe(true);
        expect(response).not.toMatch(LEAK);
      }),
      { numRuns: Math.min(RUNS, 100) },
    );
    expect(statusOf(await raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toBe(200);
  });
});
