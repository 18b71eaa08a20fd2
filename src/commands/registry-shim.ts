import { parseArgs } from 'node:util';
import type { Logger } from '../log.js';
import { startCcompatShim } from '../registry/ccompat-shim.js';
import { help, UsageError, untilStopped, type Command } from './command.js';

const USAGE = `vigil registry-shim --upstream http://127.0.0.1:18081 [--host 127.0.0.1] [--port 18083]

options:
  --upstream url     Apicurio Registry's origin (its Confluent API is under /apis/ccompat/v7)
  --host addr        listen address (default: 127.0.0.1)
  --port n           listen port (default: 18083; 0 picks a free one)

Forwards Apicurio's Confluent-compatible API and fixes its ?format=serialized
answers for Protobuf, so Confluent's own serializers and deserializers work
(docs/schema-registry.md). \`vigil kafka up\` starts one beside the registry.`;

/** `vigil registry-shim`: the Confluent compatibility shim in front of Apicurio, until Ctrl-C. */
export function registryShimCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: "Serve Apicurio's Confluent API with Protobuf schemas in the form Confluent's clients read.",
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          upstream: { type: 'string' },
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', default: '18083' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      if (!values.upstream) throw new UsageError('--upstream is required, e.g. --upstream http://127.0.0.1:18081');
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0–65535, got "${values.port}"`);
      const stopped = untilStopped();
      const shim = await startCcompatShim({ upstream: values.upstream, host: values.host, port, log });
      process.stdout.write(`Confluent-compatible registry: ${shim.url}\n`);
      const signal = await stopped;
      log.info({ signal }, 'stopping the registry shim');
      await shim.close();
      return 0;
    },
  };
  return cmd;
}
