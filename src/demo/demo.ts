import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterEndpoints } from '../cluster/cluster.js';
import { REGIONS } from '../cluster/topology.js';
import { projectRoot } from '../cluster/paths.js';
import { startEngine, type EngineHandle } from '../commands/engine.js';
import { startDashboard, type DashboardServer } from '../dashboard/server.js';
import { KafkaFeedbackSink } from '../feedback/feedback-sink.js';
import { replay } from '../fraud/replay/index.js';
import { MIRRORED_TRANSACTIONS } from '../fraud/topology/topics.js';
import type { Logger } from '../log.js';
import { interactiveCardHistory } from '../dashboard/iq-card-history.js';
import { systemClock, VigilError } from '../streams/index.js';
import { createProgressBar } from '../ui/progress-bar.js';
import { dispatcherConfig } from '../webhook/config.js';
import { WebhookDispatcher } from '../webhook/dispatcher.js';
import { WebhookSecret } from '../webhook/secret.js';

export interface DemoOptions {
  cluster: ClusterEndpoints;
  log: Logger;
  fixtureDir?: string;
  /** Event-time speed-up of the replay; the small fixture's 3 days take about 4 minutes at 1000. */
  speed?: number;
  dashboardPort?: number;
  signal: AbortSignal;
  /** The cluster was just created: state the engine kept from an earlier cluster is wiped first. */
  freshState?: boolean;
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
 *
 * Multi-region: each transaction is replayed into its own region's cluster
 * (`us-east` or `us-west`, by `Transaction.region`), MirrorMaker 2 mirrors
 * both into central, and the engine on central reads
 * `us-east.transactions` and `us-west.transactions` by regex. Profiles,
 * alerts and the dispatcher live on central.
 */
export async function startDemo(o: DemoOptions): Promise<Demo> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => o.log.warn({ err }, 'while stopping'));
  };
  const multiRegion = o.cluster.topology === 'multi-region';
  const stateDir = join(projectRoot, '.vigil', 'state', `demo-${o.cluster.topology}`);
  // Local state from an earlier cluster would claim changelog offsets the new one never had.
  if (o.freshState) rmSync(stateDir, { recursive: true, force: true });
  try {
    const engine: EngineHandle = await startEngine({
      brokers: [o.cluster.primary],
      registryUrl: o.cluster.registryUrl,
      guarantee: 'exactly_once',
      modelPath: join(projectRoot, 'models', 'fraud.onnx'),
      stateDir,
      metricsPort: 0,
      applicationId: 'vigil-demo',
      // `vigil model promote <version>` switches the demo's model too (docs/feedback.md).
      modelControl: { modelsDir: join(projectRoot, 'models', 'versions') },
      log: o.log.child({ component: 'engine' }),
      ...(multiRegion ? { transactions: MIRRORED_TRANSACTIONS } : {}),
    });
    closers.push(() => engine.close());
    // Replay only once the engine's first assignment is restored: otherwise the
    // first minute of transactions queues up behind start-up and the
    // dashboard's latency shows that backlog rather than the pipeline.
    await engine.streams.waitForState('RUNNING', 180_000);

    const secret = WebhookSecret.parse(WebhookSecret.generate(randomBytes(24)));
    const token = process.env.VIGIL_DASHBOARD_TOKEN ?? randomBytes(18).toString('base64url');
    // Analyst verdicts from the page go to the compacted alert-feedback topic (docs/feedback.md).
    const feedback = await KafkaFeedbackSink.start({ connection: { brokers: [o.cluster.primary] }, registryUrl: o.cluster.registryUrl, log: o.log.child({ component: 'feedback' }) });
    closers.push(() => feedback.close());
    const dashboard: DashboardServer = await startDashboard({
      port: o.dashboardPort ?? 8088,
      token,
      secrets: [secret],
      clock: systemClock,
      log: o.log.child({ component: 'dashboard' }),
      // Through the handle at each query: a supervised restart replaces the instance.
      cardHistory: interactiveCardHistory({ keyValueStore: (name) => engine.streams.keyValueStore(name) }),
      feedback,
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
      targets: multiRegion ? { primary: [o.cluster.primary], regions: regionalBrokers(o.cluster) } : { primary: [o.cluster.primary] },
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

/** Each region's bootstrap address, as replay wants it. */
function regionalBrokers(cluster: ClusterEndpoints): Record<string, string[]> {
  return Object.fromEntries(
    REGIONS.map((region) => {
      const brokers = cluster.brokers[region];
      if (!brokers) {
        throw new VigilError('VIGIL_ERR_CONFIG', `the ${cluster.topology} cluster has no ${region} broker (it has ${Object.keys(cluster.brokers).join(', ')}); run the demo with --topology single`);
      }
      return [region, [brokers]];
    }),
  );
}
