/**
 * Builds the parts a StreamThread drives (Kafka Streams does this in
 * `StreamThread.create`): the state directory, the record collector, the
 * changelog reader and the task manager, wired to the thread's clients and
 * options. Kept apart so stream-thread.ts holds only the loop.
 */
import type { StreamsConfig } from '../config.js';
import type { VigilError } from '../errors.js';
import type { TopologyPlan } from '../processor/internal/topology-model.js';
import type { StateStore } from '../state/types.js';
import { ChangelogReader } from './changelog-reader.js';
import type { KafkaAdmin, KafkaConnectionOptions, KafkaConsumer, KafkaProducer } from '../kafka/index.js';
import type { KafkaStreamsOptions } from './options.js';
import { RecordCollector } from './record-collector.js';
import { StateDirectory } from './state-directory.js';
import { TaskManager } from './task-manager.js';
import type { TopicLayout } from './topic-layout.js';

export interface StreamThreadOptions {
  readonly config: StreamsConfig;
  readonly options: KafkaStreamsOptions;
  readonly plan: TopologyPlan;
  readonly layout: TopicLayout;
  /** For the restore consumer. */
  readonly connection: KafkaConnectionOptions;
  readonly admin: KafkaAdmin;
  readonly consumer: KafkaConsumer;
  readonly producer: KafkaProducer;
  /** The thread hit an error it cannot recover from; the owner moves to ERROR. */
  readonly onFatal: (error: VigilError) => void;
  /** A rebalance started (true) or its assignment is applied and restored (false). */
  readonly onRebalance: (inProgress: boolean) => void;
  /** The instance's global stores (GlobalKTable), which every task may read. */
  readonly globalStores?: ReadonlyMap<string, StateStore> | undefined;
}

export interface ThreadParts {
  readonly stateDirectory: StateDirectory;
  readonly collector: RecordCollector;
  readonly tasks: TaskManager;
}

/** @param cancelled true once the thread stops or fails: a restoration under way is abandoned. */
export function wireThreadParts(o: StreamThreadOptions, cancelled: () => boolean): ThreadParts {
  const { config, options } = o;
  const exactlyOnce = options.processingGuarantee === 'exactly_once';
  const { logger } = options;
  const stateDirectory = new StateDirectory({ stateDir: config.stateDir, applicationId: config.applicationId, exactlyOnce, logger, instanceId: options.instanceId });
  const collector = new RecordCollector({
    producer: o.producer,
    admin: o.admin,
    exactlyOnce,
    applicationId: config.applicationId,
    productionExceptionHandler: options.productionExceptionHandler,
    commitOffsets: (offsets) => o.consumer.commit(offsets),
    logger,
    eagerSends: options.eagerSends && !options.pipelinedCommits,
  });
  const changelogReader = new ChangelogReader({
    admin: o.admin,
    connection: o.connection,
    groupId: `${config.applicationId}-restore-${options.instanceId}`,
    exactlyOnce,
    logger,
    now: () => options.clock.now(),
    writtenEnd: (topic, partition) => collector.writtenEnd(topic, partition),
    cancelled,
    onProgress: (p) => {
      config.metrics.restoreProgress?.(p.taskId, p.store, p.restored, p.total);
      options.onRestore?.(p);
    },
  });
  const tasks = new TaskManager({
    config,
    plan: o.plan,
    layout: o.layout,
    stateDirectory,
    collector,
    changelogReader,
    clock: options.clock,
    logger,
    exactlyOnce,
    globalStores: o.globalStores,
  });
  return { stateDirectory, collector, tasks };
}
