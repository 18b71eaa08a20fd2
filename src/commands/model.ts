import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../cluster/paths.js';
import { endpointsOf } from '../cluster/cluster.js';
import { describeTopology } from '../cluster/topology.js';
import { MODEL_CONTROL_TOPIC, writeModelControl, type ModelRole } from '../feedback/model-control.js';
import { checkModelVersion } from '../feedback/model-store.js';
import type { Logger } from '../log.js';
import { help, UsageError, type Command } from './command.js';

const USAGE = `vigil model promote <version> [--models-dir models/versions] [--brokers h:p] [--registry url] [--topic model-control]
vigil model shadow <version> | --off [same options]

promote  makes <version> the live model of every running engine, without a restart: the engines
         switch between two scoring batches and stamp the new version on the alerts it scores.
         Rolling back is the same command with the previous version.
shadow   scores with <version> beside the live model (it never alerts); --off stops it.

The version's metadata is checked against the engine's feature list first: a model trained on
other features is refused (VIGIL_ERR_MODEL_METADATA) and nothing is written, so the live model stays.

options:
  --models-dir dir   versioned models, <dir>/<version>/fraud.onnx + fraud.metadata.json (default: models/versions)
  --brokers list     bootstrap servers (default: KAFKA_BROKERS, else the local single cluster)
  --registry url     schema registry (default: SCHEMA_REGISTRY_URL, else the local one)
  --topic name       the compacted control topic the engines follow (default: model-control)`;

/** `vigil model`: promote, roll back or shadow a model version on every running engine. */
export function modelCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Promote (or roll back) a model version on running engines, or shadow-score with one.',
    async run(args) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          'models-dir': { type: 'string', default: join(projectRoot, 'models', 'versions') },
          brokers: { type: 'string', short: 'b' },
          registry: { type: 'string', short: 'r' },
          topic: { type: 'string', default: MODEL_CONTROL_TOPIC },
          off: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help || positionals.length === 0) return help(cmd);
      const [action, version, ...rest] = positionals;
      if (action !== 'promote' && action !== 'shadow') throw new UsageError(`unknown action "${action}"; use promote or shadow`);
      if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
      const role: ModelRole = action === 'promote' ? 'live' : 'shadow';
      if (values.off && role !== 'shadow') throw new UsageError('--off applies to shadow only');
      if (values.off && version !== undefined) throw new UsageError('pass a version or --off, not both');
      if (!values.off && version === undefined) throw new UsageError(`which version? e.g. vigil model ${action} fraud-hgbcal-52bed8c63163`);
      // Refuse here, before anything is written: every engine would refuse it too.
      const metadata = version === undefined ? undefined : checkModelVersion(values['models-dir'], version);
      const local = endpointsOf(describeTopology('single'));
      const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? local.primary).split(',');
      const registryUrl = values.registry ?? process.env.SCHEMA_REGISTRY_URL ?? local.registryUrl;
      await writeModelControl(
        { connection: { brokers, clientId: 'vigil-model' }, registryUrl, topic: values.topic },
        { role, version: version ?? '', requested_by: userInfo().username, requested_at_ms: Date.now() },
      );
      log.info({ role, version: version ?? null, topic: values.topic }, 'model control written');
      process.stdout.write(
        metadata
          ? `${role === 'live' ? 'promoted' : 'shadowing'} ${metadata.version} (threshold ${metadata.threshold}) via ${values.topic}; running engines switch at their next batch\n`
          : `shadow scoring stopped via ${values.topic}\n`,
      );
      return 0;
    },
  };
  return cmd;
}
