import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Scorer } from '../fraud/model/scorer.js';
import type { SwitchableScorer } from '../fraud/model/switchable-scorer.js';
import type { Logger } from '../log.js';
import { registrySerde, type RegistrySerde } from '../registry/registry-serde.js';
import { connectAdmin, connectConsumer, connectProducer, type KafkaConnectionOptions, type KafkaConsumer } from '../streams/kafka/index.js';
import { FeedbackError } from './errors.js';

export const MODEL_CONTROL_TOPIC = 'model-control';
export const MODEL_CONTROL_MESSAGE = 'vigil.v1.ModelControl';
export const MODEL_CONTROL_PROTO_PATH = fileURLToPath(new URL('../../proto/vigil/v1/model_control.proto', import.meta.url));

export type ModelRole = 'live' | 'shadow';

export interface ModelControl {
  role: ModelRole;
  /** Empty for role shadow: stop shadow scoring. */
  version: string;
  requested_by: string;
  requested_at_ms: number;
}

export interface ModelControlTarget {
  connection: KafkaConnectionOptions;
  registryUrl: string;
  /** Default `model-control`. */
  topic?: string;
}

function controlSerde(target: ModelControlTarget, topic: string): RegistrySerde<ModelControl> {
  return registrySerde<ModelControl>({ url: target.registryUrl, topics: [topic], schema: readFileSync(MODEL_CONTROL_PROTO_PATH, 'utf8'), messageName: MODEL_CONTROL_MESSAGE, refreshIntervalMs: 0 });
}

/** Creates the compacted, single-partition control topic when missing: one partition keeps every engine's view in one order. */
async function ensureControlTopic(connection: KafkaConnectionOptions, topic: string): Promise<void> {
  const admin = await connectAdmin(connection);
  try {
    await admin.createTopics([{ topic, partitions: 1, config: { 'cleanup.policy': 'compact' } }]);
  } finally {
    await admin.close();
  }
}

/** Appends a control record (key = role); every engine listening switches within its next fetch. */
export async function writeModelControl(target: ModelControlTarget, control: ModelControl): Promise<void> {
  const topic = target.topic ?? MODEL_CONTROL_TOPIC;
  try {
    await ensureControlTopic(target.connection, topic);
    const serde = controlSerde(target, topic);
    const producer = await connectProducer(target.connection, { idempotent: true });
    try {
      await serde.prepare();
      await producer.send([{ topic, key: control.role, value: serde.serialize(topic, control), timestamp: control.requested_at_ms }]);
    } finally {
      serde.close();
      await producer.close();
    }
  } catch (err) {
    if (err instanceof FeedbackError) throw err;
    throw new FeedbackError('VIGIL_ERR_MODEL_CONTROL', `could not write to ${topic}: ${(err as Error).message}; is the cluster up?`, { cause: err });
  }
}

export interface ModelControlListenerOptions extends ModelControlTarget {
  scorer: SwitchableScorer;
  /** Loads a version (the engine: `loadModelVersion(modelsDir, version)`); throws to refuse it. */
  load(version: string): Promise<Scorer>;
  log: Logger;
  /** After each applied or refused control record. */
  onApplied?(control: ModelControl, outcome: { ok: true } | { ok: false; code: string; message: string }): void;
}

/**
 * An engine's side of promotion: reads the control topic from the beginning
 * in a throwaway group (every engine sees every record; nothing to commit),
 * and applies each record to the {@link SwitchableScorer}. A model that
 * fails to load or does not fit the topology is refused with its code in
 * the log, and the current model stays.
 */
export class ModelControlListener {
  private constructor(
    private readonly consumer: KafkaConsumer,
    private readonly serde: RegistrySerde<ModelControl>,
  ) {}

  static async start(o: ModelControlListenerOptions): Promise<ModelControlListener> {
    const topic = o.topic ?? MODEL_CONTROL_TOPIC;
    await ensureControlTopic(o.connection, topic);
    const serde = controlSerde(o, topic);
    await serde.prepare();
    const consumer = await connectConsumer(o.connection, { groupId: `vigil-model-control-${randomUUID()}`, maxWaitTimeMs: 100 });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const apply = async (control: ModelControl) => {
      try {
        if (control.role === 'shadow' && control.version === '') {
          await o.scorer.setShadow(undefined);
        } else {
          const current = control.role === 'live' ? o.scorer.live : o.scorer.shadow;
          if (current?.metadata.version === control.version) {
            o.onApplied?.(control, { ok: true });
            return;
          }
          // Promoting the shadow reuses its loaded model; it stops shadowing (SwitchableScorer.promote).
          const shadow = o.scorer.shadow;
          if (control.role === 'live' && shadow?.metadata.version === control.version) {
            await o.scorer.promote(shadow);
            o.log.info({ role: control.role, version: control.version, requestedBy: control.requested_by }, 'shadow model promoted');
            o.onApplied?.(control, { ok: true });
            return;
          }
          const next = await o.load(control.version);
          try {
            if (control.role === 'live') await o.scorer.promote(next);
            else await o.scorer.setShadow(next);
          } catch (err) {
            await next.close();
            throw err;
          }
        }
        o.log.info({ role: control.role, version: control.version, requestedBy: control.requested_by }, 'model switched');
        o.onApplied?.(control, { ok: true });
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'VIGIL_ERR_MODEL_CONTROL';
        o.log.error({ code, role: control.role, version: control.version, err }, 'model change refused; the current model stays');
        o.onApplied?.(control, { ok: false, code, message: (err as Error).message });
      }
    };
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ records }) => {
        for (const r of records) {
          let control: ModelControl | null;
          try {
            control = serde.deserialize(topic, r.value);
          } catch (err) {
            o.log.error({ code: 'VIGIL_ERR_MODEL_CONTROL', offset: r.offset, err }, 'unreadable model-control record skipped');
            continue;
          }
          if (!control || (control.role !== 'live' && control.role !== 'shadow')) continue;
          // One at a time, in offset order: the latest record wins.
          await apply(control);
        }
      },
    });
    return new ModelControlListener(consumer, serde);
  }

  async close(): Promise<void> {
    await this.consumer.close();
    this.serde.close();
  }
}
