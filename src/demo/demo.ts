import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ClusterEndpoints } from '../cluster/cluster.js';
import { projectRoot } from '../cluster/paths.js';
import { startEngine, type EngineHandle } from '../commands/engine.js';
import { startDashboard, type DashboardServer } from '../dashboard/server.js';
import { replay } from '../fraud/replay/index.js';
import type { Logger } from '../log.js';
import { systemClock } from '../streams/index.js';
import { createProgressBar } from '../ui/progress-bar.js';
import { dispatcherConfig } from '../webhook/config.js';
import { WebhookDispatcher } from '../webhook/dispatcher.js';
import { WebhookSecret } from '../webhook/secret.js';
import { interactiveCardHistory } from './card-history.js';

export interface DemoOptions {
  cluster: ClusterEndpoints;
  log: Logger;
  fixtureDir?: string;
  /** Event-time speed-up of the replay; the small fixture's 3 days take about 4 minutes at 1000. */
  speed?: number;
  dashboardPort?: number;
  signal: AbortSignal;
}

export interface Demo {
  dashboardUrl: string;
  metricsUrl: string;
  /** Settles when the replay has sent every transaction (or was aborted). */
  replayed: Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole pipeline in one process, on a running cluster: the engine
 * (exactly-once), the webhook dispatcher delivering signed alerts to the
 * dashboard's receiver, and a replay of a seeded fixture feeding it.
 */
export async function startDemo(o: DemoOptions): Promise<Demo> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => o.log.warn({ err }, 'while stopping'));
  };
  try {
    const engine: EngineHandle = await startEngine({
      brokers: [o.cluster.primary],
      registryUrl: o.cluster.registryUrl,
      guarantee: 'exactly_once',
      modelPath: join(projectRoot, 'models', 'fraud.onnx'),
      stateDir: join(projectRoot, '.vigil', 'state', 'demo'),
      metricsPort: 0,
      applicationId: 'vigil-demo',
      log: o.log.child({ component: 'engine' }),
    });
    closers.push(() => engine.close());

    const secret = WebhookSecret.parse(WebhookSecret.generate(randomBytes(24)));
    const token = process.env.VIGIL_DASHBOARD_TOKEN ?? randomBytes(18).toString('base64url');
    const dashboard: DashboardServer = await startDashboard({
      port: o.dashboardPort ?? 8088,
      token,
      secrets: [secret],
      clock: systemClock,
      log: o.log.child({ component: 'dashboard' }),
      cardHistory: interactiveCardHistory(engine.streams),
    });
    closers.push(() => dashboard.close());

    const dispatcher = await WebhookDispatcher.start(
      dispatcherConfig({
        brokers: [o.cluster.primary],
        endpoints: [{ name: 'dashboard', url: `${dashboard.url}/webhooks/alerts`, secrets: [secret] }],
        groupId: 'vigil-demo-dispatcher',
      }),
      { log: o.log.child({ component: 'dispatcher' }) },
    );
    closers.push(() => dispatcher.stop());

    const fixtureDir = o.fixtureDir ?? join(projectRoot, 'test', 'fixtures', 'small');
    const bar = createProgressBar({ label: 'replaying transactions', unit: 'tx', output: process.stderr });
    const replayed = replay({
      fixtureDir,
      targets: { primary: [o.cluster.primary] },
      registryUrl: o.cluster.registryUrl,
      speed: o.speed ?? 1000,
      signal: o.signal,
      onProgress: (p) => {
        bar.setTotal(p.total);
        bar.update(p.transactions);
      },
    }).then(
      (result) => {
        bar.finish(`${result.transactions} transactions at ${Math.round(result.rate)}/s`);
      },
      (err: unknown) => {
        if (!o.signal.aborted) o.log.error({ err }, 'replay failed');
      },
    );
    return { dashboardUrl: dashboard.pageUrl, metricsUrl: engine.metricsUrl, replayed, close };
  } catch (err) {
    await close();
    throw err;
  }
}
