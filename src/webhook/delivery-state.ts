import type { EndpointConfig } from './config.js';

/** A delivery that failed and waits for its next attempt. */
export interface PendingRetry {
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms of the next attempt. */
  nextAt: number;
  lastError: string;
}

/** An endpoint switched off by a 410; tied to the URL, so pointing the endpoint elsewhere re-enables it. */
export interface DisabledEndpoint {
  url: string;
  reason: string;
  at: number;
}

/**
 * What the dispatcher must remember across a crash: pending retries and
 * disabled endpoints. Reads are synchronous (the state is loaded at start);
 * writes resolve once durable.
 */
export interface DeliveryStateStore {
  pending(endpoint: string, id: string): PendingRetry | undefined;
  savePending(endpoint: string, id: string, retry: PendingRetry): Promise<void>;
  clearPending(endpoint: string, id: string): Promise<void>;
  disabled(endpoint: EndpointConfig): DisabledEndpoint | undefined;
  saveDisabled(endpoint: string, info: DisabledEndpoint): Promise<void>;
  clearDisabled(endpoint: string): Promise<void>;
  /** Pending retries known right now (after a restart: the ones resumed). */
  pendingCount(): number;
}

/** The state as keyed entries; `null` removes. Shared by the in-memory and Kafka stores. */
export type StateEntry = { kind: 'retry'; value: PendingRetry } | { kind: 'disabled'; value: DisabledEndpoint };

export const retryKey = (endpoint: string, id: string): string => `retry/${endpoint}/${id}`;
export const disabledKey = (endpoint: string): string => `disabled/${endpoint}`;

/** Keeps the state in memory only: for tests and for a dispatcher that may forget (never in production). */
export class MemoryDeliveryState implements DeliveryStateStore {
  protected readonly entries = new Map<string, StateEntry>();

  /** Applies one persisted record (used while loading). */
  apply(key: string, entry: StateEntry | null): void {
    if (entry === null) this.entries.delete(key);
    else this.entries.set(key, entry);
  }

  /** Writes through to durable storage; the in-memory map is updated after it succeeds. */
  protected async write(key: string, entry: StateEntry | null): Promise<void> {
    this.apply(key, entry);
  }

  pending(endpoint: string, id: string): PendingRetry | undefined {
    const e = this.entries.get(retryKey(endpoint, id));
    return e?.kind === 'retry' ? e.value : undefined;
  }

  savePending(endpoint: string, id: string, retry: PendingRetry): Promise<void> {
    return this.write(retryKey(endpoint, id), { kind: 'retry', value: retry });
  }

  clearPending(endpoint: string, id: string): Promise<void> {
    return this.entries.has(retryKey(endpoint, id)) ? this.write(retryKey(endpoint, id), null) : Promise.resolve();
  }

  disabled(endpoint: EndpointConfig): DisabledEndpoint | undefined {
    const e = this.entries.get(disabledKey(endpoint.name));
    return e?.kind === 'disabled' && e.value.url === endpoint.url ? e.value : undefined;
  }

  saveDisabled(endpoint: string, info: DisabledEndpoint): Promise<void> {
    return this.write(disabledKey(endpoint), { kind: 'disabled', value: info });
  }

  clearDisabled(endpoint: string): Promise<void> {
    return this.entries.has(disabledKey(endpoint)) ? this.write(disabledKey(endpoint), null) : Promise.resolve();
  }

  pendingCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.kind === 'retry') n++;
    return n;
  }
}
