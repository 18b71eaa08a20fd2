import { parseArgs } from 'node:util';
import { down, up } from '../cluster/cluster.js';
import type { Logger } from '../log.js';
import { help, topologyFrom, topologyOption, type Command } from './command.js';
import { printEndpoints } from './kafka.js';

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

/** `vigil start`: the one-command demo (for now: the local cluster, until Ctrl-C). */
export function startCommand(log: Logger): Command {
  const cmd: Command = {
    usage: 'vigil start [--topology single|multi-region]',
    summary: 'Set everything up and run Vigil in the foreground; Ctrl-C stops it all.',
    async run(args) {
      const { values } = parseArgs({ args, options: topologyOption });
      if (values.help) return help(cmd);
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
  };
  return cmd;
}
