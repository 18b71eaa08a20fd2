import { parseArgs } from 'node:util';
import { down, status, up, type ClusterEndpoints } from './cluster/cluster.js';
import { ClusterError } from './cluster/errors.js';
import { isTopologyName, TOPOLOGY_NAMES, type TopologyName } from './cluster/topology.js';
import { createLogger } from './log.js';

const log = createLogger('vigil');

interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

const topologyOption = { topology: { type: 'string', short: 't', default: 'single' }, help: { type: 'boolean', short: 'h' } } as const;

function topologyFrom(value: string | undefined): TopologyName {
  const name = value ?? 'single';
  if (!isTopologyName(name)) {
    throw new UsageError(`unknown topology "${name}"; choose one of: ${TOPOLOGY_NAMES.join(', ')}`);
  }
  return name;
}

class UsageError extends Error {}

function printEndpoints(e: ClusterEndpoints): void {
  const lines = [`topology: ${e.topology}`];
  for (const [name, bootstrap] of Object.entries(e.brokers)) lines.push(`kafka ${name}: ${bootstrap}`);
  lines.push(`schema registry: ${e.registryUrl}`);
  lines.push('', `export KAFKA_BROKERS=${e.primary}`, `export SCHEMA_REGISTRY_URL=${e.registryUrl}`);
  process.stdout.write(lines.join('\n') + '\n');
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
function untilSignal(): Promise<NodeJS.Signals> {
  // Signal listeners do not keep Node's event loop alive; this timer does.
  const keepAlive = setInterval(() => {}, 60_000);
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

const kafkaCommands: Record<string, Command> = {
  up: {
    usage: 'vigil kafka up [--topology single|multi-region]',
    summary: 'Start the local cluster in the background and print its addresses (stop it with `vigil kafka down`).',
    async run(args) {
      const { values } = parseArgs({ args, options: topologyOption });
      if (values.help) return help(kafkaCommands.up);
      printEndpoints(await up({ topology: topologyFrom(values.topology), log }));
      return 0;
    },
  },
  down: {
    usage: 'vigil kafka down [--topology single|multi-region]',
    summary: 'Stop every JVM of the local cluster (MirrorMaker 2 and the registry first).',
    async run(args) {
      const { values } = parseArgs({ args, options: topologyOption });
      if (values.help) return help(kafkaCommands.down);
      const stopped = await down({ topology: topologyFrom(values.topology), log });
      process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
      return 0;
    },
  },
  status: {
    usage: 'vigil kafka status [--topology single|multi-region]',
    summary: 'Show which JVMs of the local cluster run, with pid and memory.',
    async run(args) {
      const { values } = parseArgs({ args, options: topologyOption });
      if (values.help) return help(kafkaCommands.status);
      const s = status(topologyFrom(values.topology));
      for (const p of s.processes) {
        process.stdout.write(
          `${p.name.padEnd(18)} ${p.running ? `running  pid ${p.pid}  ${p.rssMiB ?? '?'} MiB` : 'stopped'}\n`,
        );
      }
      return s.processes.every((p) => p.running) ? 0 : 3;
    },
  },
};

const commands: Record<string, Command> = {
  start: {
    usage: 'vigil start [--topology single|multi-region]',
    summary: 'Set everything up and run Vigil in the foreground; Ctrl-C stops it all.',
    async run(args) {
      const { values } = parseArgs({ args, options: topologyOption });
      if (values.help) return help(commands.start);
      const topology = topologyFrom(values.topology);
      if (process.env.KAFKA_BROKERS) {
        process.stdout.write(`using the cluster at KAFKA_BROKERS=${process.env.KAFKA_BROKERS}\n`);
        return 0;
      }
      // Listen from the start: Ctrl-C while the JVMs boot stops them too
      // (their readiness wait then fails, and `up` cleans up after itself).
      const signal = untilSignal();
      let stopping = false;
      void signal.then(async (sig) => {
        stopping = true;
        log.info({ signal: sig }, 'shutting down');
      });
      const starting = up({ topology, log, ownerPid: process.pid });
      const result = await Promise.race([starting, signal.then(() => undefined)]).catch((err: unknown) => {
        if (stopping) return undefined;
        throw err;
      });
      if (!result) {
        await down({ topology, log });
        await starting.catch(() => undefined); // its failure is the stop we asked for
        return 130;
      }
      printEndpoints(result);
      process.stdout.write('\nVigil is up. Press Ctrl-C to stop.\n');
      await signal;
      if (result.started) await down({ topology, log });
      return 0;
    },
  },
  kafka: {
    usage: 'vigil kafka <up|down|status> [--topology single|multi-region]',
    summary: 'Manage the local Kafka cluster, MirrorMaker 2 and schema registry.',
    async run(args) {
      const [sub, ...rest] = args;
      const cmd = sub ? kafkaCommands[sub] : undefined;
      if (!cmd) return overview('vigil kafka', kafkaCommands, sub !== undefined && sub !== '--help' && sub !== '-h');
      return cmd.run(rest);
    },
  },
};

function help(cmd: Command | undefined): number {
  if (cmd) process.stdout.write(`usage: ${cmd.usage}\n\n${cmd.summary}\n`);
  return 0;
}

function overview(prefix: string, table: Record<string, Command>, unknown: boolean): number {
  const out = unknown ? process.stderr : process.stdout;
  out.write(`usage: ${prefix} <command> [options]\n\ncommands:\n`);
  for (const [name, cmd] of Object.entries(table)) out.write(`  ${name.padEnd(8)} ${cmd.summary}\n`);
  out.write(`\nRun "${prefix} <command> --help" for its options.\n`);
  return unknown ? 2 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? commands[name] : undefined;
  if (!cmd) return overview('vigil', commands, name !== undefined && name !== '--help' && name !== '-h');
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`${(err as Error).message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof ClusterError) {
      process.stderr.write(`\n${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
