import { parseArgs } from 'node:util';
import { down, up, type UpResult } from '../cluster/cluster.js';
import type { Logger } from '../log.js';
import { startDemo } from '../demo/demo.js';
import { help, topologyFrom, topologyOption, untilStopped, UsageError, type Command } from './command.js';
import { printEndpoints } from './kafka.js';

/**
 * `vigil start`: the one-command demo. Brings the local cluster up, runs the
 * engine, the webhook dispatcher and the dashboard, replays a seeded fixture
 * into them and prints the dashboard's URL; Ctrl-C stops everything.
 *
 * The default is the multi-region topology: us-east and us-west take the
 * payments, MirrorMaker 2 mirrors them into central, where the engine reads
 * both mirrored topics by regex. `--topology single` is the lighter run (one
 * broker, the engine on `transactions`), and the default when KAFKA_BROKERS
 * points at an existing cluster.
 */
export function startCommand(log: Logger): Command {
  const cmd: Command = {
    usage: 'vigil start [--topology multi-region|single] [--cluster-only] [--speed 1000] [--fixture dir] [--port 8088]',
    summary: 'Set everything up and run Vigil in the foreground; Ctrl-C stops it all.',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          ...topologyOption,
          topology: { ...topologyOption.topology, default: undefined },
          'cluster-only': { type: 'boolean' },
          speed: { type: 'string', default: '1000' },
          fixture: { type: 'string' },
          port: { type: 'string', default: '8088' },
        },
      });
      if (values.help) return help(cmd);
      const speed = Number(values.speed);
      if (!(speed > 0)) throw new UsageError(`--speed must be a positive number, got "${values.speed}"`);
      const external = process.env.KAFKA_BROKERS;
      if (external && !process.env.SCHEMA_REGISTRY_URL) {
        throw new UsageError('KAFKA_BROKERS is set but SCHEMA_REGISTRY_URL is not; set both to use an existing cluster');
      }
      const topology = topologyFrom(values.topology ?? (external ? 'single' : 'multi-region'));
      if (external && topology !== 'single') {
        throw new UsageError('with KAFKA_BROKERS set, only --topology single is supported (the multi-region demo starts its own regional clusters and MirrorMaker 2); unset KAFKA_BROKERS to run it');
      }
      // Listen from the start: Ctrl-C while the JVMs boot stops them too
      // (their readiness wait then fails, and `up` cleans up after itself).
      const signal = untilStopped();
      let stopping = false;
      void signal.then(async (sig) => {
        stopping = true;
        log.info({ signal: sig }, 'shutting down');
      });
      const starting: Promise<UpResult> = external
        ? Promise.resolve({
            topology,
            brokers: { external },
            primary: external,
            registryUrl: process.env.SCHEMA_REGISTRY_URL as string,
            confluentRegistryUrl: process.env.SCHEMA_REGISTRY_URL as string, // no shim in front of an existing registry
            started: false,
            readyMs: {},
          })
        : // A cluster the demo starts is always new (no data from an earlier run or from
          // the tests); one already running from `vigil kafka up` is reused as it is.
          up({ topology, log, ownerPid: process.pid, fresh: true });
      const result = await Promise.race([starting, signal.then(() => undefined)]).catch((err: unknown) => {
        if (stopping) return undefined;
        throw err;
      });
      if (!result) {
        await down({ topology, log });
        await starting.catch(() => undefined); // its failure is the stop we asked for
        return 130;
      }
      process.stdout.write(`${clusterOrigin(result, external)}\n`);
      printEndpoints(result);
      const abort = new AbortController();
      void signal.then(() => abort.abort());
      const demo = values['cluster-only']
        ? undefined
        : await startDemo({
            cluster: result,
            log,
            speed,
            dashboardPort: Number(values.port),
            signal: abort.signal,
            freshState: result.started,
            ...(values.fixture ? { fixtureDir: values.fixture } : {}),
          }).catch(async (err: unknown) => {
            if (result.started) await down({ topology, log });
            throw err;
          });
      if (demo) {
        process.stdout.write(`\ndashboard: ${demo.dashboardUrl}\nengine metrics: ${demo.metricsUrl}\n`);
      }
      process.stdout.write('\nVigil is up. Press Ctrl-C to stop.\n');
      await signal;
      await demo?.close();
      if (result.started) await down({ topology, log });
      return 0;
    },
  };
  return cmd;
}

/** One line saying where the demo's cluster came from, so nobody mistakes old data for new. */
export function clusterOrigin(result: UpResult, external: string | undefined): string {
  if (external) return `using the existing cluster at ${external} (KAFKA_BROKERS)`;
  if (result.started) return `created a fresh ${result.topology} cluster (no data from earlier runs)`;
  return `reusing the ${result.topology} cluster already running (from \`vigil kafka up\`), with its data; \`vigil kafka down --topology ${result.topology}\` first for a clean one`;
}
