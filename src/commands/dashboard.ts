import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startDashboard } from '../dashboard/server.js';
import { KafkaFeedbackSink } from '../feedback/feedback-sink.js';
import { FEEDBACK_TOPICS } from '../feedback/schema.js';
import type { Logger } from '../log.js';
import { systemClock } from '../streams/index.js';
import { WebhookSecret } from '../webhook/secret.js';
import { help, UsageError, type Command } from './command.js';
import { secretFromEnv } from './security-env.js';
import { untilStopped } from './command.js';

const USAGE = `vigil dashboard [--host 127.0.0.1] [--port 8088] [--secret env:NAME|file:/path]... [--brokers h:p,...] [--registry url]

options:
  --host addr        listen address (default: 127.0.0.1)
  --port n           listen port (default: 8088; 0 picks a free one)
  --secret ref       webhook secret(s) the receiver accepts (default: env:VIGIL_WEBHOOK_SECRET)
  --brokers list     Kafka bootstrap servers for analyst verdicts (default: KAFKA_BROKERS)
  --registry url     schema registry for verdicts (default: SCHEMA_REGISTRY_URL)
  --feedback-topic t compacted topic verdicts are written to (default: alert-feedback)

With brokers and a registry, the page offers verdicts (confirmed fraud, false positive,
unsure; keys F, P, U) written as AlertFeedback records; see docs/feedback.md.

The page's token is VIGIL_DASHBOARD_TOKEN (or the file named by VIGIL_DASHBOARD_TOKEN_FILE)
when set, else a fresh random one; the command prints the URL that carries it.
VIGIL_WEBHOOK_SECRET_FILE may replace VIGIL_WEBHOOK_SECRET the same way.`;

/** `vigil dashboard`: the fraud-operations page and webhook receiver, until Ctrl-C. */
export function dashboardCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Serve the fraud-operations dashboard and its signed webhook receiver.',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', default: '8088' },
          secret: { type: 'string', multiple: true },
          brokers: { type: 'string', default: process.env.KAFKA_BROKERS },
          registry: { type: 'string', default: process.env.SCHEMA_REGISTRY_URL },
          'feedback-topic': { type: 'string', default: FEEDBACK_TOPICS.alertFeedback },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0–65535, got "${values.port}"`);
      const secrets = (values.secret ?? ['env:VIGIL_WEBHOOK_SECRET']).map((ref) => WebhookSecret.resolve(ref));
      const token = secretFromEnv('VIGIL_DASHBOARD_TOKEN') ?? randomBytes(24).toString('base64url');
      if (values.brokers && !values.registry) throw new UsageError('verdicts need a schema registry too: pass --registry or set SCHEMA_REGISTRY_URL');
      const stopped = untilStopped();
      const feedback = values.brokers
        ? await KafkaFeedbackSink.start({ connection: { brokers: values.brokers.split(',') }, registryUrl: values.registry!, topic: values['feedback-topic'], log })
        : undefined;
      const server = await startDashboard({ host: values.host, port, token, secrets, clock: systemClock, log, ...(feedback ? { feedback } : {}) });
      process.stdout.write(`dashboard: ${server.pageUrl}\nwebhook receiver: ${server.url}/webhooks/alerts\nverdicts: ${feedback ? `written to ${feedback.topic}` : 'off (no --brokers)'}\nCtrl-C stops\n`);
      const signal = await stopped;
      log.info({ signal }, 'stopping the dashboard');
      await server.close();
      await feedback?.close();
      return 0;
    },
  };
  return cmd;
}
