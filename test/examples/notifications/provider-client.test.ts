import { afterEach, describe, expect, it } from 'vitest';
import { MockProvider } from '../../../examples/notifications/mock-provider.js';
import { ProviderClient } from '../../../examples/notifications/provider-client.js';

let provider: MockProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const sms = { idempotencyKey: 'n:e-1', channel: 'sms', to: '+15550100', text: 'hi' } as const;

describe('provider client against the mock provider (real HTTP on 127.0.0.1)', () => {
  it('retries a 5xx with growing backoff until the provider recovers', async () => {
    provider = await MockProvider.start();
    provider.failNext(2);
    const waits: number[] = [];
    const client = new ProviderClient({ baseUrl: provider.url, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
    await expect(client.send(sms)).resolves.toEqual({ attempts: 3 });
    expect(provider.requests.map((r) => r.status)).toEqual([503, 503, 202]);
    expect(waits).toEqual([75, 150]);
    expect(provider.deliveries()).toHaveLength(1);
  });

  it('gives up after the last attempt with a code and a message that says what to do', async () => {
    provider = await MockProvider.start();
    provider.failNext(10);
    const client = new ProviderClient({ baseUrl: provider.url, retry: { maxAttempts: 3 }, sleep: async () => {} });
    await expect(client.send(sms)).rejects.toMatchObject({ code: 'VIGIL_ERR_NOTIFY_PROVIDER', message: /failed 3 attempts \(last: HTTP 503\).*dead-letter/ });
    expect(provider.requests).toHaveLength(3);
  });

  it('does not retry a 4xx: the message itself is wrong', async () => {
    provider = await MockProvider.start();
    const client = new ProviderClient({ baseUrl: provider.url, sleep: async () => {} });
    await expect(client.send({ ...sms, to: '' })).rejects.toMatchObject({ code: 'VIGIL_ERR_NOTIFY_PROVIDER', message: /rejected.*HTTP 400/ });
    expect(provider.requests).toHaveLength(1);
  });

  it('delivers a resent message once: the provider deduplicates on the idempotency key', async () => {
    provider = await MockProvider.start();
    const client = new ProviderClient({ baseUrl: provider.url });
    await client.send(sms);
    await client.send(sms);
    expect(provider.requests).toHaveLength(2);
    expect(provider.deliveries()).toHaveLength(1);
  });
});
