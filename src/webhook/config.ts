import { WebhookError } from './errors.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { WebhookSecret } from './secret.js';

/** One receiver of alerts. */
export interface EndpointConfig {
  /** Short, unique, stable: it keys the endpoint's persisted state and appears in logs. */
  readonly name: string;
  readonly url: string;
  /** Every secret signs each message (rotation); receivers accept any one. */
  readonly secrets: readonly WebhookSecret[];
  /** Requests in flight at most; 429/502/503/504 lower it temporarily. */
  readonly concurrency: number;
  /** Whole-request timeout. Alerts are small: a receiver that needs longer is treated as down. */
  readonly timeoutMs: number;
}

export interface DispatcherConfig {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly alertsTopic: string;
  readonly dlqTopic: string;
  /** Compacted topic holding pending retries and disabled endpoints. */
  readonly stateTopic: string;
  readonly endpoints: readonly EndpointConfig[];
  readonly retry: Readonly<RetryPolicy>;
  /** Alerts held in memory at most; beyond it the partition that crossed it is paused (backpressure). */
  readonly maxInFlight: number;
  readonly commitIntervalMs: number;
  /** A group with no committed offsets starts at the beginning of the alerts topic (true) or at its end (false). */
  readonly fromBeginning: boolean;
}

export interface EndpointInput {
  name: string;
  url: string;
  /** `env:NAME` / `file:/path` references, or parsed secrets (programmatic use). */
  secrets: Array<string | WebhookSecret>;
  concurrency?: number;
  timeoutMs?: number;
  /** Accept a plain `http://` URL to a host other than loopback (alerts and signatures then cross the network in clear). */
  allowHttp?: boolean;
}

export interface DispatcherConfigInput {
  brokers: string[] | string;
  endpoints: EndpointInput[];
  groupId?: string;
  alertsTopic?: string;
  dlqTopic?: string;
  stateTopic?: string;
  retry?: Partial<RetryPolicy>;
  maxInFlight?: number;
  commitIntervalMs?: number;
  /** Default true: a new group delivers every alert already in the topic; false starts at its end. */
  fromBeginning?: boolean;
  /** Defaults for endpoints that do not set their own. */
  concurrency?: number;
  timeoutMs?: number;
  allowHttp?: boolean;
}

export const dispatcherDefaults = {
  groupId: 'vigil-webhook-dispatcher',
  alertsTopic: 'alerts',
  dlqTopic: 'alerts.webhook-dlq',
  stateTopic: 'alerts.webhook-state',
  maxInFlight: 10_000,
  commitIntervalMs: 1_000,
  concurrency: 8,
  timeoutMs: 2_000,
} as const satisfies Partial<DispatcherConfigInput>;

function positiveInt(problems: string[], where: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    problems.push(`${where} must be a positive integer, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * Only `https://` URLs are accepted, plus `http://` to loopback (the local
 * dashboard: nothing leaves the host) or where `allowHttp` says so. The
 * dispatcher never follows redirects, so the configured URL is the only
 * place an alert goes. Credentials in the URL are refused: the URL is
 * logged, and a secret in it would be too.
 */
function endpointUrl(problems: string[], where: string, raw: unknown, allowHttp: boolean): URL | undefined {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    problems.push(`${where}.url must be an https URL, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${where}.url must not carry credentials (user:password@); receivers authenticate alerts by their signature`);
    return undefined;
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (allowHttp || LOOPBACK.test(url.hostname)) return url;
    problems.push(`${where}.url ${url.origin} is plain http to another host: alerts would travel unencrypted. Use https, or set "allowHttp": true on the endpoint (--allow-http) if the network is trusted`);
    return undefined;
  }
  problems.push(`${where}.url must be an https URL, got the scheme ${JSON.stringify(url.protocol)}`);
  return undefined;
}

/**
 * Validates the dispatcher's configuration once and returns it frozen.
 * Every problem is reported together, one per line; secrets are resolved
 * here so a missing variable fails at start-up, not on the first alert.
 */
export function dispatcherConfig(input: DispatcherConfigInput, env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const problems: string[] = [];
  const brokers = (typeof input.brokers === 'string' ? input.brokers.split(',') : (input.brokers ?? [])).map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) problems.push('brokers: give at least one host:port (or set KAFKA_BROKERS)');
  const defaultConcurrency = positiveInt(problems, 'concurrency', input.concurrency, dispatcherDefaults.concurrency);
  const defaultTimeout = positiveInt(problems, 'timeoutMs', input.timeoutMs, dispatcherDefaults.timeoutMs);

  const endpoints: EndpointConfig[] = [];
  const names = new Set<string>();
  if (!Array.isArray(input.endpoints) || input.endpoints.length === 0) problems.push('endpoints: configure at least one endpoint');
  for (const [i, e] of (input.endpoints ?? []).entries()) {
    const where = `endpoints[${i}]${e?.name ? ` (${e.name})` : ''}`;
    if (!e || typeof e.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(e.name)) {
      problems.push(`${where}.name must be 1–64 letters, digits, "_", "." or "-"`);
      continue;
    }
    if (names.has(e.name)) problems.push(`${where}.name is used twice; names key persisted state and must be unique`);
    names.add(e.name);
    const url = endpointUrl(problems, where, e.url, e.allowHttp ?? input.allowHttp ?? false);
    const secrets: WebhookSecret[] = [];
    if (!Array.isArray(e.secrets) || e.secrets.length === 0) problems.push(`${where}.secrets: give at least one "env:NAME" or "file:/path"`);
    for (const ref of e.secrets ?? []) {
      try {
        secrets.push(ref instanceof WebhookSecret ? ref : WebhookSecret.resolve(String(ref), env));
      } catch (err) {
        problems.push(`${where}.secrets: ${(err as Error).message}`);
      }
    }
    endpoints.push(
      Object.freeze({
        name: e.name,
        url: url?.toString() ?? '',
        secrets: Object.freeze(secrets),
        concurrency: positiveInt(problems, `${where}.concurrency`, e.concurrency, defaultConcurrency),
        timeoutMs: positiveInt(problems, `${where}.timeoutMs`, e.timeoutMs, defaultTimeout),
      }),
    );
  }

  const retry: RetryPolicy = {
    maxAttempts: positiveInt(problems, 'retry.maxAttempts', input.retry?.maxAttempts, defaultRetryPolicy.maxAttempts),
    baseDelayMs: positiveInt(problems, 'retry.baseDelayMs', input.retry?.baseDelayMs, defaultRetryPolicy.baseDelayMs),
    maxDelayMs: positiveInt(problems, 'retry.maxDelayMs', input.retry?.maxDelayMs, defaultRetryPolicy.maxDelayMs),
    maxRetryAfterMs: positiveInt(problems, 'retry.maxRetryAfterMs', input.retry?.maxRetryAfterMs, defaultRetryPolicy.maxRetryAfterMs),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) problems.push('retry.maxDelayMs must be at least retry.baseDelayMs');

  const topic = (name: string, value: string | undefined, fallback: string) => {
    const v = value ?? fallback;
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(v)) problems.push(`${name} "${v}" is not a valid Kafka topic name`);
    return v;
  };
  const config: DispatcherConfig = {
    brokers: Object.freeze(brokers),
    groupId: input.groupId ?? dispatcherDefaults.groupId,
    alertsTopic: topic('alertsTopic', input.alertsTopic, dispatcherDefaults.alertsTopic),
    dlqTopic: topic('dlqTopic', input.dlqTopic, dispatcherDefaults.dlqTopic),
    stateTopic: topic('stateTopic', input.stateTopic, dispatcherDefaults.stateTopic),
    endpoints: Object.freeze(endpoints),
    retry: Object.freeze(retry),
    maxInFlight: positiveInt(problems, 'maxInFlight', input.maxInFlight, dispatcherDefaults.maxInFlight),
    commitIntervalMs: positiveInt(problems, 'commitIntervalMs', input.commitIntervalMs, dispatcherDefaults.commitIntervalMs),
    fromBeginning: input.fromBeginning ?? true,
  };
  if (problems.length > 0) {
    throw new WebhookError('VIGIL_ERR_WEBHOOK_CONFIG', `invalid webhook dispatcher configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(config);
}
