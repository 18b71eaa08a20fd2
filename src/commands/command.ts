import { isTopologyName, TOPOLOGY_NAMES, type TopologyName } from '../cluster/topology.js';
import { VigilError } from '../streams/index.js';

/** One `vigil` sub-command. `run` returns the process exit code. */
export interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Error codes of the command line; docs/errors.md is generated from this table. */
export const CommandErrorCodes = {
  VIGIL_ERR_USAGE: 'A command was given flags or arguments it does not take; it prints its usage (exit code 2).',
} as const;

/** Wrong flags or arguments: printed with the command's usage, exit code 2. */
export class UsageError extends VigilError<keyof typeof CommandErrorCodes> {
  constructor(message: string) {
    super('VIGIL_ERR_USAGE', message);
  }
}

export const topologyOption = {
  topology: { type: 'string', short: 't', default: 'single' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function topologyFrom(value: string | undefined): TopologyName {
  const name = value ?? 'single';
  if (!isTopologyName(name)) {
    throw new UsageError(`unknown topology "${name}"; choose one of: ${TOPOLOGY_NAMES.join(', ')}`);
  }
  return name;
}

export function help(cmd: Command | undefined): number {
  if (cmd) process.stdout.write(`usage: ${cmd.usage}\n\n${cmd.summary}\n`);
  return 0;
}

/** Lists a table of commands; exit code 2 when the user typed an unknown one. */
export function overview(prefix: string, table: Record<string, Command>, unknown: boolean): number {
  const out = unknown ? process.stderr : process.stdout;
  out.write(`usage: ${prefix} <command> [options]\n\ncommands:\n`);
  for (const [name, cmd] of Object.entries(table)) out.write(`  ${name.padEnd(10)} ${cmd.summary}\n`);
  out.write(`\nRun "${prefix} <command> --help" for its options.\n`);
  return unknown ? 2 : 0;
}

/**
 * Resolves when the process is asked to stop (Ctrl-C or SIGTERM). Signal
 * listeners do not keep Node's event loop alive, so a timer does until then.
 */
export function untilStopped(): Promise<NodeJS.Signals> {
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
