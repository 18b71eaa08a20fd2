import { parseArgs } from 'node:util';
import { endpointsOf } from '../cluster/cluster.js';
import { describeTopology } from '../cluster/topology.js';
import { replayChargebacks } from '../feedback/chargeback-replay.js';
import { FEEDBACK_TOPICS } from '../feedback/schema.js';
import { readManifest } from '../fraud/simulator/fixture-reader.js';
import type { Logger } from '../log.js';
import { help, UsageError, type Command } from './command.js';

const USAGE = `vigil chargebacks <fixture-dir> [--brokers h:p,...] [--registry url] [--topic chargebacks]
                 [--as-of-days n] [--report-rate 0.85]

Writes the delayed labels of a simulated fixture (vigil simulate --out, or test/fixtures/small)
to the compacted chargebacks topic: each fraudulent payment is disputed with probability
--report-rate, 3-45 days of event time after it happened, whether or not an alert fired
(missed fraud included). Legitimate payments get no label. Deterministic per fixture seed.

options:
  --brokers list     bootstrap servers (default: KAFKA_BROKERS, else the local single cluster)
  --registry url     schema registry (default: SCHEMA_REGISTRY_URL, else the local one)
  --topic name       default: chargebacks
  --as-of-days n     only chargebacks reported within n days after the fixture's last payment
                     (what a replay "now" would have seen); default: all
  --report-rate r    share of fraud that is disputed, 0-1 (default 0.85)`;

/** `vigil chargebacks`: a fixture's chargebacks, days of event time after the fraud, to Kafka. */
export function chargebacksCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Write a fixture\'s delayed fraud labels (chargebacks) to the chargebacks topic.',
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          brokers: { type: 'string', short: 'b' },
          registry: { type: 'string', short: 'r' },
          topic: { type: 'string', default: FEEDBACK_TOPICS.chargebacks },
          'as-of-days': { type: 'string' },
          'report-rate': { type: 'string', default: '0.85' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      if (positionals.length !== 1) throw new UsageError('which fixture? pass its directory, e.g. test/fixtures/small');
      const fixtureDir = positionals[0] as string;
      const reportRate = Number(values['report-rate']);
      if (!(reportRate >= 0 && reportRate <= 1)) throw new UsageError(`--report-rate must be between 0 and 1, got "${values['report-rate']}"`);
      let asOfMs: number | undefined;
      if (values['as-of-days'] !== undefined) {
        const days = Number(values['as-of-days']);
        if (!Number.isFinite(days) || days < 0) throw new UsageError(`--as-of-days must be a non-negative number, got "${values['as-of-days']}"`);
        asOfMs = (await readManifest(fixtureDir)).last_event_ms + days * 86_400_000;
      }
      const local = endpointsOf(describeTopology('single'));
      const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? local.primary).split(',');
      const registryUrl = values.registry ?? process.env.SCHEMA_REGISTRY_URL ?? local.registryUrl;
      const r = await replayChargebacks({
        fixtureDir,
        connection: { brokers, clientId: 'vigil-chargebacks' },
        registryUrl,
        topic: values.topic,
        reportRate,
        ...(asOfMs !== undefined ? { asOfMs } : {}),
        log,
      });
      const day = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
      process.stdout.write(
        `chargebacks: ${r.chargebacks} of ${r.fraud} fraudulent payments to ${values.topic}, reported ${day(r.firstReportedMs)} to ${day(r.lastReportedMs)}; ` +
          `${r.unlabelledFraud} fraudulent payments have no chargeback\n`,
      );
      return 0;
    },
  };
  return cmd;
}
