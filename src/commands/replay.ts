import { parseArgs } from 'node:util';
import { endpointsOf } from '../cluster/cluster.js';
import { describeTopology, REGIONS } from '../cluster/topology.js';
import { replay, type ReplayTargets } from '../fraud/replay/index.js';
import type { Logger } from '../log.js';
import { createProgressBar, formatCount } from '../ui/progress-bar.js';
import { help, topologyFrom, UsageError, type Command } from './command.js';
import { kafkaSecurityFromEnv } from './security-env.js';

const options = {
  speed: { type: 'string', short: 's' },
  max: { type: 'boolean' },
  brokers: { type: 'string', short: 'b' },
  topology: { type: 'string', short: 't' },
  registry: { type: 'string', short: 'r' },
  'transactions-topic': { type: 'string' },
  'profiles-topic': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ReplayCommandArgs {
  fixtureDir: string;
  speed: number | 'max';
  targets: ReplayTargets;
  registryUrl: string;
  topics: { transactions: string; profiles: string };
  quiet: boolean;
  help: boolean;
}

/**
 * Parses `vigil replay` flags. Where to produce, first match wins:
 * --brokers; --topology (the local cluster's addresses); KAFKA_BROKERS;
 * the single topology. The registry: --registry, SCHEMA_REGISTRY_URL,
 * then the topology's. Without --speed or --max, replay runs at --max.
 */
export function parseReplayArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ReplayCommandArgs {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
  const base = {
    quiet: values.quiet === true,
    help: values.help === true,
    topics: { transactions: values['transactions-topic'] ?? 'transactions', profiles: values['profiles-topic'] ?? 'user-profiles' },
  };
  if (values.help) return { ...base, fixtureDir: '', speed: 'max', targets: { primary: [] }, registryUrl: '' };
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'which fixture? pass its directory, e.g. test/fixtures/small' : `expected one fixture directory, got ${positionals.length}`);
  }
  if (values.speed !== undefined && values.max) throw new UsageError('--speed and --max exclude each other; pick one');
  let speed: number | 'max' = 'max';
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (values.speed.trim() === '' || !Number.isFinite(speed) || speed <= 0) {
      throw new UsageError(`--speed must be a positive factor of the recorded cadence (e.g. 10 or 3600), got "${values.speed}"`);
    }
  }
  if (values.brokers !== undefined && values.topology !== undefined) throw new UsageError('--brokers and --topology exclude each other; pick one');
  let targets: ReplayTargets;
  let topologyRegistry: string;
  if (values.brokers !== undefined) {
    const brokers = values.brokers.split(',').map((b) => b.trim()).filter(Boolean);
    const bad = brokers.find((b) => !/^[^\s:]+:\d+$/.test(b));
    if (brokers.length === 0 || bad !== undefined) throw new UsageError(`--brokers must be host:port[,host:port...], got "${values.brokers}"`);
    targets = { primary: brokers };
    topologyRegistry = endpointsOf(describeTopology('single')).registryUrl;
  } else if (values.topology === undefined && env.KAFKA_BROKERS) {
    targets = { primary: env.KAFKA_BROKERS.split(',') };
    topologyRegistry = endpointsOf(describeTopology('single')).registryUrl;
  } else {
    const e = endpointsOf(describeTopology(topologyFrom(values.topology)));
    targets = { primary: [e.primary] };
    if (e.topology === 'multi-region') {
      targets.regions = Object.fromEntries(REGIONS.map((r) => [r, [e.brokers[r] as string]]));
    }
    topologyRegistry = e.registryUrl;
  }
  const registryUrl = values.registry ?? env.SCHEMA_REGISTRY_URL ?? topologyRegistry;
  if (!/^https?:\/\/\S+$/.test(registryUrl)) throw new UsageError(`--registry must be an http(s) URL, got "${registryUrl}"`);
  return { ...base, fixtureDir: positionals[0] as string, speed, targets, registryUrl };
}

/** `vigil replay <fixture>`: produces a fixture's profiles and transactions to Kafka. */
export function replayCommand(log: Logger): Command {
  const cmd: Command = {
    usage: [
      'vigil replay <fixture-dir> [options]',
      '  --speed F                  replay at the recorded cadence times F (e.g. 3600: an hour per second)',
      '  --max                      as fast as possible (the default)',
      '  --brokers host:port,...    the cluster to produce to (default KAFKA_BROKERS, else the local single cluster)',
      '  --topology single|multi-region  the local cluster; multi-region sends each transaction to its region',
      '  --registry URL             schema registry (default SCHEMA_REGISTRY_URL, else the topology\'s)',
      '  --transactions-topic T     default transactions',
      '  --profiles-topic T         default user-profiles',
      '  --quiet                    no progress bar',
    ].join('\n'),
    summary: 'Produce a fixture to Kafka: profiles first (compacted user-profiles), then transactions keyed by card, with a progress bar.',
    async run(args) {
      const parsed = parseReplayArgs(args);
      if (parsed.help) return help(cmd);
      const output = parsed.quiet ? { write: () => true } : process.stderr;
      let bar: ReturnType<typeof createProgressBar> | undefined;
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const result = await replay({
          fixtureDir: parsed.fixtureDir,
          targets: parsed.targets,
          registryUrl: parsed.registryUrl,
          speed: parsed.speed,
          topics: parsed.topics,
          signal: abort.signal,
          security: kafkaSecurityFromEnv(),
          onProgress(p) {
            bar ??= createProgressBar({ label: 'replay', total: p.total, unit: 'tx', output });
            bar.update(p.transactions, new Date(p.eventTimeMs).toISOString().slice(0, 16).replace('T', ' '));
          },
        });
        const summary = bar?.finish();
        log.debug({ result: { ...result, manifest: undefined } }, 'replay done');
        const clusters = Object.entries(result.byCluster)
          .map(([name, n]) => `${name} ${n}`)
          .join(', ');
        process.stdout.write(
          `${abort.signal.aborted ? 'stopped: ' : ''}replayed ${result.profiles} profiles to ${parsed.topics.profiles} and ` +
            `${result.transactions} transactions to ${parsed.topics.transactions} (${clusters}) in ${((summary?.elapsedMs ?? result.elapsedMs) / 1000).toFixed(1)} s, ` +
            `${formatCount(result.rate)} tx/s\n`,
        );
        return abort.signal.aborted ? 130 : 0;
      } finally {
        process.off('SIGINT', stop);
      }
    },
  };
  return cmd;
}
