import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeTopology } from '../cluster/topology.js';
import { endpointsOf } from '../cluster/cluster.js';
import type { Logger } from '../log.js';
import { createMetricsRegistry, serveMetrics } from '../metrics/index.js';
import { dispatcherConfig, type DispatcherConfigInput, type EndpointInput } from '../webhook/config.js';
import { WebhookDispatcher } from '../webhook/dispatcher.js';
import { WebhookError } from '../webhook/errors.js';
import { WebhookSecret } from '../webhook/secret.js';
import { help, untilStopped, UsageError, type Command } from './command.js';
import { kafkaSecurityFromEnv } from './security-env.js';

/** The brokers to use when none are given: KAFKA_BROKERS, else the local single-broker cluster. */
export function defaultBrokers(): string {
  return process.env.KAFKA_BROKERS ?? endpointsOf(describeTopology('single')).primary;
}

const USAGE = `vigil dispatch [--endpoint name=url]... [--secret env:NAME|file:/path]... [options]
       vigil dispatch --config webhooks.json
       vigil dispatch --new-secret

options:
  --endpoint name=url     deliver alerts to this endpoint (repeatable)
  --secret ref            signing secret for the --endpoint endpoints, "env:NAME" or "file:/path";
                          repeat during rotation (default: env:VIGIL_WEBHOOK_SECRET)
  --config file           JSON: { "endpoints": [{ "name", "url", "secrets": ["env:..."], "concurrency", "timeoutMs" }],
                          "retry": { "maxAttempts", "baseDelayMs", "maxDelayMs", "maxRetryAfterMs" }, ... }
  --brokers list          host:port,... (default: KAFKA_BROKERS, else the local cluster)
  --alerts-topic name     default: alerts
  --group id              consumer group (default: vigil-webhook-dispatcher)
  --timeout-ms n          per-request timeout (default: 2000)
  --concurrency n         requests in flight per endpoint (default: 8)
  --max-attempts n        attempts before the DLQ (default: 8)
  --metrics-port n        serve Prometheus /metrics on this port (0 picks one; default: off)
  --allow-http            accept http:// endpoints on other hosts than loopback (default: https only)
  --new-secret            print a fresh whsec_ secret and exit

Endpoint URLs must be https (http is accepted for 127.0.0.1/localhost); redirects are never followed.
Kafka TLS and SASL/SCRAM come from VIGIL_KAFKA_* variables (docs/security.md).`;

/** `vigil dispatch`: the webhook dispatcher, in the foreground until Ctrl-C. */
export function dispatchCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Deliver alerts to webhook endpoints (Standard Webhooks signatures, retries, DLQ).',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          endpoint: { type: 'string', multiple: true },
          secret: { type: 'string', multiple: true },
          config: { type: 'string' },
          brokers: { type: 'string' },
          'alerts-topic': { type: 'string' },
          group: { type: 'string' },
          'timeout-ms': { type: 'string' },
          concurrency: { type: 'string' },
          'max-attempts': { type: 'string' },
          'metrics-port': { type: 'string' },
          'new-secret': { type: 'boolean' },
          'allow-http': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      if (values['new-secret']) {
        process.stdout.write(`${WebhookSecret.generate(randomBytes(24))}\n`);
        return 0;
      }
      let input: Partial<DispatcherConfigInput> = {};
      if (values.config) {
        try {
          input = JSON.parse(readFileSync(values.config, 'utf8')) as Partial<DispatcherConfigInput>;
        } catch (cause) {
          throw new WebhookError('VIGIL_ERR_WEBHOOK_CONFIG', `cannot read ${values.config} as JSON: ${(cause as Error).message}`, { cause });
        }
      }
      const secrets = values.secret ?? ['env:VIGIL_WEBHOOK_SECRET'];
      const endpoints: EndpointInput[] = [...(input.endpoints ?? [])];
      for (const spec of values.endpoint ?? []) {
        const eq = spec.indexOf('=');
        if (eq <= 0) throw new UsageError(`--endpoint wants name=url, got "${spec}"`);
        endpoints.push({ name: spec.slice(0, eq), url: spec.slice(eq + 1), secrets });
      }
      if (endpoints.length === 0) throw new UsageError('give at least one --endpoint name=url, or --config');
      const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));
      const config = dispatcherConfig({
        ...input,
        brokers: values.brokers ?? input.brokers ?? defaultBrokers(),
        endpoints,
        ...(values['alerts-topic'] ? { alertsTopic: values['alerts-topic'] } : {}),
        ...(values['allow-http'] ? { allowHttp: true } : {}),
        ...(values.group ? { groupId: values.group } : {}),
        ...(values['timeout-ms'] ? { timeoutMs: int(values['timeout-ms']) } : {}),
        ...(values.concurrency ? { concurrency: int(values.concurrency) } : {}),
        ...(values['max-attempts'] ? { retry: { ...input.retry, maxAttempts: int(values['max-attempts']) } } : {}),
      });
      const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
      if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535)) {
        throw new UsageError(`--metrics-port must be 0–65535, got "${values['metrics-port']}"`);
      }
      const security = kafkaSecurityFromEnv();
      const stopped = untilStopped();
      // Process metrics for now; webhook series plug in through DispatcherMetrics once src/metrics provides them.
      const metrics = metricsPort === undefined ? undefined : await serveMetrics(createMetricsRegistry({ service: 'dispatcher' }), metricsPort);
      const dispatcher = await WebhookDispatcher.start(config, { log, connection: security });
      process.stdout.write(
        `dispatching ${config.alertsTopic} to ${config.endpoints.map((e) => `${e.name} (${e.url})`).join(', ')}${metrics ? `; metrics at ${metrics.url}` : ''}; Ctrl-C stops\n`,
      );
      const signal = await stopped;
      log.info({ signal }, 'stopping the dispatcher');
      await dispatcher.stop();
      await metrics?.close();
      return 0;
    },
  };
  return cmd;
}
