import { isVigilError } from './streams/index.js';
import { overview, UsageError, type Command } from './commands/command.js';
import { chargebacksCommand } from './commands/chargebacks.js';
import { dashboardCommand } from './commands/dashboard.js';
import { dispatchCommand } from './commands/dispatch.js';
import { engineCommand } from './commands/engine.js';
import { exampleCommand } from './commands/example.js';
import { kafkaCommand } from './commands/kafka.js';
import { registryShimCommand } from './commands/registry-shim.js';
import { modelCommand } from './commands/model.js';
import { trainCommand } from './commands/train.js';
import { replayCommand } from './commands/replay.js';
import { simulateCommand } from './commands/simulate.js';
import { startCommand } from './commands/start.js';
import { createLogger } from './log.js';

const log = createLogger('vigil');

/** Every `vigil` command; each module in src/commands/ holds one. */
const commands: Record<string, Command> = {
  start: startCommand(log),
  kafka: kafkaCommand(log),
  engine: engineCommand(log),
  simulate: simulateCommand(log),
  replay: replayCommand(log),
  dispatch: dispatchCommand(log),
  dashboard: dashboardCommand(log),
  'registry-shim': registryShimCommand(log),
  example: exampleCommand(log),
  chargebacks: chargebacksCommand(log),
  model: modelCommand(log),
  train: trainCommand(log),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? commands[name] : undefined;
  if (!cmd) return overview('vigil', commands, name !== undefined && name !== '--help' && name !== '-h');
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (isVigilError(err)) {
      process.stderr.write(`\n${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
// Clients, timers and signal listeners of a failed start may still hold the
// event loop; the command has finished, so leave now (logs are written synchronously).
log.flush();
process.exit(code);
