import { parseArgs } from 'node:util';
import { down, status, up, type ClusterEndpoints } from '../cluster/cluster.js';
import type { Logger } from '../log.js';
import { help, overview, topologyFrom, topologyOption, type Command } from './command.js';

export function printEndpoints(e: ClusterEndpoints): void {
  const lines = [`topology: ${e.topology}`];
  for (const [name, bootstrap] of Object.entries(e.brokers)) lines.push(`kafka ${name}: ${bootstrap}`);
  lines.push(`schema registry: ${e.registryUrl}`);
  lines.push(`schema registry for Confluent clients: ${e.confluentRegistryUrl} (docs/schema-registry.md)`);
  lines.push('', `export KAFKA_BROKERS=${e.primary}`, `export SCHEMA_REGISTRY_URL=${e.registryUrl}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function kafkaCommand(log: Logger): Command {
  const sub: Record<string, Command> = {
    up: {
      usage: 'vigil kafka up [--topology single|multi-region]',
      summary: 'Start the local cluster in the background and print its addresses (stop it with `vigil kafka down`).',
      async run(args) {
        const { values } = parseArgs({ args, options: topologyOption });
        if (values.help) return help(sub.up);
        printEndpoints(await up({ topology: topologyFrom(values.topology), log }));
        return 0;
      },
    },
    down: {
      usage: 'vigil kafka down [--topology single|multi-region]',
      summary: 'Stop every JVM of the local cluster (MirrorMaker 2 and the registry first).',
      async run(args) {
        const { values } = parseArgs({ args, options: topologyOption });
        if (values.help) return help(sub.down);
        const stopped = await down({ topology: topologyFrom(values.topology), log });
        process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
        return 0;
      },
    },
    status: {
      usage: 'vigil kafka status [--topology single|multi-region]',
      summary: 'Show which JVMs of the local cluster run, with pid and memory; exit code 3 if any is down.',
      async run(args) {
        const { values } = parseArgs({ args, options: topologyOption });
        if (values.help) return help(sub.status);
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
  return {
    usage: 'vigil kafka <up|down|status> [--topology single|multi-region]',
    summary: 'Manage the local Kafka cluster, MirrorMaker 2 and schema registry.',
    async run(args) {
      const [name, ...rest] = args;
      const cmd = name ? sub[name] : undefined;
      if (!cmd) return overview('vigil kafka', sub, name !== undefined && name !== '--help' && name !== '-h');
      return cmd.run(rest);
    },
  };
}
