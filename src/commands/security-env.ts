import { readFileSync } from 'node:fs';
import { VigilError } from '../streams/index.js';
import type { KafkaSaslMechanism, KafkaSaslOptions, KafkaTlsOptions } from '../streams/kafka/index.js';

/**
 * Reads a secret from `NAME`, or from the file named by `NAME_FILE`
 * (Docker/Kubernetes secrets). Setting both is refused: which one wins
 * would be a guess. Trailing newlines of the file are dropped.
 * Returns undefined when neither is set.
 */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline && file) {
    throw new VigilError('VIGIL_ERR_CONFIG', `both ${name} and ${name}_FILE are set; keep one (the file is preferred: it stays out of the process environment)`);
  }
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new VigilError('VIGIL_ERR_CONFIG', `cannot read ${name}_FILE (${file}); check the path and its permissions`, { cause });
    }
    const value = text.replace(/\r?\n+$/, '');
    if (value === '') throw new VigilError('VIGIL_ERR_CONFIG', `${name}_FILE (${file}) is empty`);
    return value;
  }
  return inline || undefined;
}

function readPem(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const path = env[name];
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new VigilError('VIGIL_ERR_CONFIG', `cannot read ${name} (${path}); give a readable PEM file`, { cause });
  }
}

export interface KafkaSecurity {
  tls?: KafkaTlsOptions | boolean;
  sasl?: KafkaSaslOptions;
}

const MECHANISMS: readonly KafkaSaslMechanism[] = ['scram-sha-512', 'scram-sha-256', 'plain'];

/**
 * Kafka client security from the environment, shared by `vigil engine`,
 * `vigil dispatch` and `npm start` (docs/security.md lists the variables):
 *
 * - `VIGIL_KAFKA_SASL_MECHANISM` (scram-sha-512 | scram-sha-256 | plain),
 *   `VIGIL_KAFKA_SASL_USERNAME`, `VIGIL_KAFKA_SASL_PASSWORD` or `VIGIL_KAFKA_SASL_PASSWORD_FILE`;
 * - `VIGIL_KAFKA_TLS=true`, `VIGIL_KAFKA_TLS_CA_FILE`, `VIGIL_KAFKA_TLS_CERT_FILE`,
 *   `VIGIL_KAFKA_TLS_KEY_FILE`, `VIGIL_KAFKA_TLS_SERVERNAME` (any TLS variable turns TLS on).
 *
 * Nothing set means plaintext without authentication, as before.
 */
export function kafkaSecurityFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSecurity {
  const problems: string[] = [];
  const security: KafkaSecurity = {};
  const mechanism = env.VIGIL_KAFKA_SASL_MECHANISM?.toLowerCase();
  const username = env.VIGIL_KAFKA_SASL_USERNAME;
  let password: string | undefined;
  try {
    password = secretFromEnv('VIGIL_KAFKA_SASL_PASSWORD', env);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (mechanism || username || password) {
    if (!mechanism || !(MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push(`VIGIL_KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')}, got ${JSON.stringify(env.VIGIL_KAFKA_SASL_MECHANISM ?? '')}`);
    }
    if (!username) problems.push('VIGIL_KAFKA_SASL_USERNAME is not set');
    if (password === undefined && problems.length === 0) problems.push('set VIGIL_KAFKA_SASL_PASSWORD_FILE (or VIGIL_KAFKA_SASL_PASSWORD)');
    if (problems.length === 0) {
      const secret = password as string;
      security.sasl = { mechanism: mechanism as KafkaSaslMechanism, username: username as string, password: () => secret };
    }
  }
  const tlsFlag = env.VIGIL_KAFKA_TLS?.toLowerCase();
  if (tlsFlag !== undefined && !['true', 'false', '1', '0', ''].includes(tlsFlag)) problems.push(`VIGIL_KAFKA_TLS must be true or false, got ${JSON.stringify(env.VIGIL_KAFKA_TLS)}`);
  try {
    const ca = readPem('VIGIL_KAFKA_TLS_CA_FILE', env);
    const cert = readPem('VIGIL_KAFKA_TLS_CERT_FILE', env);
    const key = readPem('VIGIL_KAFKA_TLS_KEY_FILE', env);
    const servername = env.VIGIL_KAFKA_TLS_SERVERNAME || undefined;
    if ((cert === undefined) !== (key === undefined)) problems.push('VIGIL_KAFKA_TLS_CERT_FILE and VIGIL_KAFKA_TLS_KEY_FILE go together (client certificate and its key)');
    const detailed = ca !== undefined || cert !== undefined || servername !== undefined;
    if (tlsFlag === 'false' || tlsFlag === '0') {
      if (detailed) problems.push('VIGIL_KAFKA_TLS is false but TLS files are set; drop one or the other');
    } else if (detailed) {
      security.tls = {
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(servername !== undefined ? { servername } : {}),
      };
    } else if (tlsFlag === 'true' || tlsFlag === '1') {
      security.tls = true;
    }
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length > 0) throw new VigilError('VIGIL_ERR_CONFIG', `invalid Kafka security settings:\n  - ${problems.join('\n  - ')}`);
  return security;
}
