import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { kafkaSecurityFromEnv, secretFromEnv } from '../../src/commands/security-env.js';
import { WebhookSecret } from '../../src/webhook/secret.js';

function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'secret');
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe('secretFromEnv', () => {
  it('reads NAME, or the file named by NAME_FILE without its trailing newline', () => {
    expect(secretFromEnv('TOKEN', { TOKEN: 'from-env' })).toBe('from-env');
    expect(secretFromEnv('TOKEN', { TOKEN_FILE: file('from-file\n') })).toBe('from-file');
    expect(secretFromEnv('TOKEN', {})).toBeUndefined();
  });

  it('refuses both at once, an unreadable file and an empty one, without echoing a value', () => {
    expect(() => secretFromEnv('TOKEN', { TOKEN: 'x', TOKEN_FILE: '/nope' })).toThrow(/both TOKEN and TOKEN_FILE/);
    expect(() => secretFromEnv('TOKEN', { TOKEN_FILE: '/nonexistent/vigil' })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_CONFIG', message: expect.stringMatching(/cannot read TOKEN_FILE/) }));
    expect(() => secretFromEnv('TOKEN', { TOKEN_FILE: file('\n') })).toThrow(/is empty/);
  });
});

describe('webhook secrets from files', () => {
  const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  it('env:NAME falls back to NAME_FILE, and the result equals the inline one', () => {
    const fromFile = WebhookSecret.resolve('env:VIGIL_WEBHOOK_SECRET', { VIGIL_WEBHOOK_SECRET_FILE: file(`${SECRET}\n`) });
    expect(fromFile.keyBytes()).toEqual(WebhookSecret.parse(SECRET).keyBytes());
    expect(() => WebhookSecret.resolve('env:S', { S: SECRET, S_FILE: '/x' })).toThrow(/both S and S_FILE/);
    expect(() => WebhookSecret.resolve('env:S', {})).toThrow(/S_FILE/);
  });
});

describe('kafkaSecurityFromEnv', () => {
  it('is empty (plaintext, no SASL) when nothing is set', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
  });

  it('builds SCRAM-SHA-512 credentials whose password never prints', () => {
    const security = kafkaSecurityFromEnv({ VIGIL_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', VIGIL_KAFKA_SASL_USERNAME: 'vigil', VIGIL_KAFKA_SASL_PASSWORD_FILE: file('s3cr3t-pw\n') });
    expect(security.sasl?.mechanism).toBe('scram-sha-512');
    expect(security.sasl?.username).toBe('vigil');
    expect(security.sasl?.password()).toBe('s3cr3t-pw');
    expect(JSON.stringify(security)).not.toContain('s3cr3t-pw');
    expect(inspect(security, { depth: 5 })).not.toContain('s3cr3t-pw');
  });

  it('turns TLS on with a CA, a client certificate and a server name', () => {
    const ca = file('-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    expect(kafkaSecurityFromEnv({ VIGIL_KAFKA_TLS: 'true' })).toEqual({ tls: true });
    expect(kafkaSecurityFromEnv({ VIGIL_KAFKA_TLS_CA_FILE: ca, VIGIL_KAFKA_TLS_SERVERNAME: 'kafka.internal' }).tls).toEqual({ ca: expect.stringContaining('CA'), servername: 'kafka.internal' });
    expect(kafkaSecurityFromEnv({ VIGIL_KAFKA_TLS_CA_FILE: ca, VIGIL_KAFKA_TLS_CERT_FILE: ca, VIGIL_KAFKA_TLS_KEY_FILE: ca }).tls).toMatchObject({ cert: expect.any(String), key: expect.any(String) });
  });

  it('reports every problem at once', () => {
    let message = '';
    try {
      kafkaSecurityFromEnv({ VIGIL_KAFKA_SASL_MECHANISM: 'gssapi', VIGIL_KAFKA_SASL_PASSWORD: 'pw', VIGIL_KAFKA_TLS: 'maybe', VIGIL_KAFKA_TLS_CERT_FILE: file('x') });
    } catch (e) {
      expect((e as { code?: string }).code).toBe('VIGIL_ERR_CONFIG');
      message = (e as Error).message;
    }
    expect(message).toMatch(/VIGIL_KAFKA_SASL_MECHANISM must be one of/);
    expect(message).toMatch(/VIGIL_KAFKA_SASL_USERNAME is not set/);
    expect(message).toMatch(/VIGIL_KAFKA_TLS must be true or false/);
    expect(message).toMatch(/CERT_FILE and VIGIL_KAFKA_TLS_KEY_FILE go together/);
    expect(message).not.toContain('pw');
  });
});
