import type { StreamsMetrics } from '../../metrics.js';
import type { StateStore } from '../../state/types.js';
import type { Cancellable, ProcessorContext, PunctuationType, Punctuator, RecordMetadata } from '../processor.js';
import type { Record } from '../record.js';
import type { StreamTask, TaskNode } from './stream-task.js';

/**
 * The ProcessorContext of one node in one task. Each node gets its own
 * context (rather than one shared "current node" pointer, as in Kafka
 * Streams) so that async processing cannot confuse which node forwards.
 */
export class NodeContext implements ProcessorContext {
  constructor(
    private readonly task: StreamTask,
    private readonly node: TaskNode,
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }

  get taskId(): string {
    return this.task.id;
  }

  get nodeName(): string {
    return this.node.def.name;
  }

  get metrics(): StreamsMetrics {
    return this.task.config.metrics;
  }

  forward<K, V>(record: Record<K, V>, childName?: string): Promise<void> {
    return this.task.forwardFrom(this.node, record as Record<unknown, unknown>, childName);
  }

  getStateStore<S extends StateStore>(name: string): S {
    return this.task.storeFor(this.node, name) as S;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.task.schedule(this.node.def.name, intervalMs, type, punctuator);
  }

  recordMetadata(): RecordMetadata | null {
    return this.task.recordMetadata();
  }

  currentStreamTimeMs(): number {
    return this.task.streamTimeMs;
  }

  currentSystemTimeMs(): number {
    return this.task.now();
  }

  commit(): void {
    this.task.requestCommit();
  }

  onCommit(hook: () => void | Promise<void>): Cancellable {
    return this.task.onCommit(hook);
  }
}
