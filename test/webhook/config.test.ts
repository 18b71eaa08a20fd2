import { describe, expect, it } from 'vitest';
import { dispatcherConfig } from '../../src/webhook/config.js';

const env = { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

describe('dispatcherConfig', () => {
  it('fills defaults and freezes the result', () => {
    const c = dispatcherConfig({ brokers: '127.0.0.1:19092', endpoints: [{ name: 'ops', url: 'http://127.0.0.1:8088/hook', secrets: ['env:HOOK_SECRET'] }] }, env);
    expect(c).toMatchObject({ alertsTopic: 'alerts', dlqTopic: 'alerts.webhook-dlq', stateTopic: 'alerts.webhook-state', brokers: ['127.0.0.1:19092'], fromBeginning: true });
    // A new group may start at the end of the topic instead (the latency benchmark's steps).
    expect(dispatcherConfig({ brokers: '127.0.0.1:19092', fromBeginning: false, endpoints: [{ name: 'ops', url: 'http://127.0.0.1:8088/hook', secrets: ['env:HOOK_SECRET'] }] }, env).fromBeginning).toBe(false);
    expect(c.endpoints[0]).toMatchObject({ concurrency: 8, timeoutMs: 2_000 });
    expect(Object.isFrozen(c) && Object.isFrozen(c.endpoints[0])).toBe(true);
  });

  it('reports every problem at once, one per line, without printing secrets', () => {
    let message = '';
    try {
      dispatcherConfig(
        {
          brokers: [],
          endpoints: [
            { name: 'ops', url: 'ftp://x', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
            { name: 'ops', url: 'https://ok', secrets: ['env:MISSING'], concurrency: 0 },
          ],
        },
        env,
      );
    } catch (err) {
      expect((err as { code: string }).code).toBe('VIGIL_ERR_WEBHOOK_CONFIG');
      message = (err as Error).message;
    }
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(6);
    expect(message).toContain('endpoints[0] (ops).url must be an https URL');
    expect(message).toContain('never inline');
    expect(message).toContain('environment variable MISSING is not set');
    expect(message).toContain('used twice');
    expect(message).not.toContain('MfKQ9r8');
  });
});
