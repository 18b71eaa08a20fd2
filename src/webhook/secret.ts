import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { WebhookError } from './errors.js';

const PREFIX = 'whsec_';
/** Standard Webhooks recommends 24–64 random bytes; fewer than 16 is a mistake, not a choice. */
const MIN_KEY_BYTES = 16;

/**
 * A Standard Webhooks signing secret. The key bytes never leave this object
 * in readable form: JSON, `util.inspect` and string conversion all print
 * `[redacted]`, so a secret passed to the logger by accident stays secret.
 */
export class WebhookSecret {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Parses `whsec_<base64>` (the prefix is optional, as the spec's libraries allow). */
  static parse(text: string, origin = 'secret'): WebhookSecret {
    const trimmed = text.trim();
    const b64 = trimmed.startsWith(PREFIX) ? trimmed.slice(PREFIX.length) : trimmed;
    if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', `${origin} is not whsec_-prefixed base64; generate one with "vigil dispatch --new-secret"`);
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length < MIN_KEY_BYTES) {
      throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', `${origin} decodes to ${key.length} bytes; use at least ${MIN_KEY_BYTES} (24 or more recommended)`);
    }
    return new WebhookSecret(key);
  }

  /**
   * Resolves a reference: `env:NAME` reads an environment variable (or the
   * file named by `NAME_FILE` when that is set instead), `file:/path` a file. Literal secrets are refused so they never sit in
   * config files or shell history.
   */
  static resolve(ref: string, env: NodeJS.ProcessEnv = process.env): WebhookSecret {
    if (ref.startsWith('env:')) {
      const name = ref.slice(4);
      const value = env[name];
      const file = env[`${name}_FILE`];
      if (value && file) throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', `both ${name} and ${name}_FILE are set; keep one`);
      // NAME_FILE (Docker/Kubernetes secrets) stands in for NAME: the secret then never sits in the environment.
      if (file) return WebhookSecret.resolve(`file:${file}`, env);
      if (!value) throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', `environment variable ${name} is not set; export it (or ${name}_FILE, a file holding it) with a whsec_ secret`);
      return WebhookSecret.parse(value, `environment variable ${name}`);
    }
    if (ref.startsWith('file:')) {
      const path = ref.slice(5);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (cause) {
        throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', `cannot read secret file ${path}; check the path and its permissions`, { cause });
      }
      return WebhookSecret.parse(text, `secret file ${path}`);
    }
    throw new WebhookError('VIGIL_ERR_WEBHOOK_SECRET', 'secrets are given as "env:NAME" or "file:/path", never inline');
  }

  /** A fresh random secret in `whsec_` form (24 bytes). */
  static generate(bytes: Buffer): string {
    return PREFIX + bytes.toString('base64');
  }

  /** The raw key bytes, for HMAC only. */
  keyBytes(): Buffer {
    return this.#key;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'WebhookSecret([redacted])';
  }
}
