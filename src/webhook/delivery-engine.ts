import type { PreparedAlert } from './alert-envelope.js';
import type { EndpointConfig } from './config.js';
import { EndpointLane, type DeliveryOutcome, type LaneDeps } from './endpoint-lane.js';

/** A snapshot of one endpoint, for logs, the CLI and tests. */
export interface LaneStatus {
  endpoint: string;
  backlog: number;
  concurrency: number;
  pausedUntil: number;
  disabled?: string;
}

/**
 * Fans each alert out to every endpoint's lane. The promise from
 * {@link DeliveryEngine.deliver} resolves when the alert is delivered or
 * dead-lettered everywhere: only then may its offset be committed.
 */
export class DeliveryEngine {
  readonly #lanes: EndpointLane[];

  constructor(endpoints: readonly EndpointConfig[], deps: LaneDeps) {
    this.#lanes = endpoints.map((e) => new EndpointLane(e, deps));
  }

  deliver(alert: PreparedAlert): Promise<DeliveryOutcome[]> {
    return Promise.all(this.#lanes.map((lane) => lane.deliver(alert)));
  }

  status(): LaneStatus[] {
    return this.#lanes.map((l) => ({
      endpoint: l.endpoint.name,
      backlog: l.backlog,
      concurrency: l.concurrency,
      pausedUntil: l.pausedUntil,
      ...(l.disabledReason !== undefined ? { disabled: l.disabledReason } : {}),
    }));
  }

  close(): void {
    for (const lane of this.#lanes) lane.close();
  }
}
