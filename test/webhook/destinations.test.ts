import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dispatcherConfig } from '../../src/webhook/config.js';
import { HttpSender } from '../../src/webhook/http-sender.js';

const env = { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
const config = (url: string, extra: { allowHttp?: boolean } = {}) =>
  dispatcherConfig({ brokers: '127.0.0.1:1', endpoints: [{ name: 'ops', url, secrets: ['env:HOOK_SECRET'], ...extra }] }, env);

describe('webhook destinations', () => {
  it('accepts https URLs anywhere and http to loopback (the local dashboard)', () => {
    expect(config('https://soc.example.com/hooks').endpoints[0]?.url).toBe('https://soc.example.com/hooks');
    for (const url of ['http://127.0.0.1:8088/webhooks/alerts', 'http://localhost:8088/x', 'http://[::1]:8088/x', 'http://127.10.0.1/x']) {
      expect(config(url).endpoints[0]?.url).toBe(new URL(url).toString());
    }
  });

  it('refuses plain http to another host unless the endpoint allows it explicitly', () => {
    expect(() => config('http://soc.example.com/hooks')).toThrow(/plain http to another host.*allowHttp/s);
    expect(() => config('http://10.0.0.5/hooks')).toThrow(/VIGIL_ERR_WEBHOOK_CONFIG|plain http/);
    expect(config('http://soc.example.com/hooks', { allowHttp: true }).endpoints[0]?.url).toBe('http://soc.example.com/hooks');
    expect(dispatcherConfig({ brokers: '127.0.0.1:1', allowHttp: true, endpoints: [{ name: 'ops', url: 'http://10.0.0.5/h', secrets: ['env:HOOK_SECRET'] }] }, env).endpoints[0]?.url).toBe('http://10.0.0.5/h');
  });

  it.each(['ftp://soc.example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://x', 'not a url', ''])('refuses %j', (url) => {
    expect(() => config(url)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_WEBHOOK_CONFIG', message: expect.stringMatching(/must be an https URL/) }));
  });

  it('refuses credentials in the URL, which would be logged with it', () => {
    expect(() => config('https://user:hunter2@soc.example.com/hooks')).toThrow(/must not carry credentials/);
    try {
      config('https://user:hunter2@soc.example.com/hooks');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('a %i is not followed: the alert never reaches the Location, and the attempt counts as a failure', async (status) => {
    const target = await listen((_req, res) => res.writeHead(204).end());
    const redirector = await listen((_req, res) => res.writeHead(status, { location: `${target.url}/stolen` }).end());
    const endpoint = config(`${redirector.url}/hook`).endpoints[0]!;
    const sender = new HttpSender();
    onTestFinished(() => sender.close());
    const result = await sender.send(endpoint, { 'webhook-id': 'msg_1' }, '{"type":"fraud.alert"}');
    expect(result.status).toBe(status);
    expect(redirector.hits).toEqual(['POST /hook']);
    expect(target.hits).toEqual([]);
  });
});
