import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runNotificationsDemo } from '../../examples/notifications/run.js';
import { runOrderSagaDemo } from '../../examples/order-saga/run.js';
import { up } from '../cluster/cluster.js';
import type { Logger } from '../log.js';
import { createMetricsRegistry, createStreamsMetrics, serveMetrics, type MetricsServer } from '../metrics/index.js';
import type { StreamsMetrics } from '../streams/index.js';
import { help, UsageError, untilStopped, type Command } from './command.js';

export const EXAMPLES = ['notifications', 'order-saga'] as const;

const USAGE = `vigil example <${EXAMPLES.join('|')}> [--count n] [--interval ms] [--metrics-port n]

options:
  --count n          signups or orders to publish (default 40)
  --interval ms      pause between them (default 100)
  --metrics-port n   serve each service's Prometheus metrics on n, n+1, ... (default: off)

Starts the local single-broker cluster if it is not running (as "vigil kafka up"),
runs the example's services in this process against a mock provider / warehouse
on 127.0.0.1, prints a live summary every second and exits when everything
published has finished. Ctrl-C stops early. See examples/<name>/README.md.`;

function positiveInt(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** `vigil example <name>`: one of the applications under examples/ on the local cluster. */
export function exampleCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Run an example application (notifications, order-saga) on the local cluster with a live summary.',
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          count: { type: 'string', default: '40' },
          interval: { type: 'string', default: '100' },
          'metrics-port': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      const name = positionals[0];
      if (!name || !(EXAMPLES as readonly string[]).includes(name)) throw new UsageError(`name an example: ${EXAMPLES.join(' or ')}${name ? ` (not "${name}")` : ''}`);
      const count = positiveInt('count', values.count, 1);
      const intervalMs = positiveInt('interval', values.interval, 0);
      const metricsBase = values['metrics-port'] === undefined ? undefined : positiveInt('metrics-port', values['metrics-port'], 1);

      const cluster = await up({ topology: 'single', log });
      const servers: Array<Promise<MetricsServer>> = [];
      const metrics = (service: string): StreamsMetrics | undefined => {
        if (metricsBase === undefined) return undefined;
        const registry = createMetricsRegistry();
        const port = metricsBase + servers.length;
        servers.push(serveMetrics(registry, port));
        process.stdout.write(`metrics of ${service}: http://127.0.0.1:${port}/metrics\n`);
        return createStreamsMetrics(registry);
      };
      const stateDir = mkdtempSync(join(tmpdir(), `vigil-example-${name}-`));
      const stopped = untilStopped();
      const onSummary = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
      const common = { brokers: [cluster.primary], registryUrl: cluster.registryUrl, stateDir, intervalMs, metrics, onSummary, stopped };
      try {
        const result =
          name === 'notifications'
            ? await runNotificationsDemo({ ...common, signups: count, failEvery: 10 })
            : await runOrderSagaDemo({ ...common, orders: count });
        process.stdout.write(`done: ${JSON.stringify(result)}\n`);
        return 0;
      } finally {
        for (const s of await Promise.all(servers)) await s.close();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
  return cmd;
}
