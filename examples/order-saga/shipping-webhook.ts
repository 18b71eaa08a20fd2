import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type Record, type Serde } from '../../src/streams/index.js';
import { classifyStatus, retryDelay, signedHeaders, type RetryPolicy, type WebhookSecret } from '../../src/webhook/index.js';
import type { OrderEvent } from './schema.js';
import { SagaError } from './errors.js';
import type { OrderTopics } from './topics.js';

export const SHIPPED_STORE = 'shipped';
export const SHIPMENT_EVENT_TYPE = 'shipment.requested';

/** What the warehouse confirmed; written to the confirmations topic. */
export interface ShipmentConfirmed {
  order_id: string;
  tracking_id: string;
  attempts: number;
}

export interface ShippingWebhookOptions {
  /** The shipping API's webhook endpoint, e.g. `http://127.0.0.1:4171/webhooks/shipments`. */
  url: string;
  /** Newest first; the receiver accepts any (rotation). */
  secrets: readonly WebhookSecret[];
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Injected so unit tests do not wait for backoff. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 4_000, maxRetryAfterMs: 10_000 };
const TRACKING_ID = /^TRK-[A-Z0-9-]{2,40}$/;
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks the shipping API's answer: a 2xx is not success unless the body names this order and a well-formed tracking id. */
export function validateShippingResponse(orderId: string, body: unknown): { tracking_id: string } | string {
  if (typeof body !== 'object' || body === null) return 'the response body is not a JSON object';
  const b = body as { order_id?: unknown; tracking_id?: unknown };
  if (b.order_id !== orderId) return `the response is for order ${JSON.stringify(b.order_id)}, not "${orderId}"`;
  if (typeof b.tracking_id !== 'string' || !TRACKING_ID.test(b.tracking_id)) return `tracking_id ${JSON.stringify(b.tracking_id)} is not TRK-…`;
  return { tracking_id: b.tracking_id };
}

/**
 * Sends each ShipmentRequested once to the warehouse as a signed Standard
 * Webhook. The webhook id is the event id, so the receiver can drop a
 * resend after a crash. A 5xx, a timeout or an invalid answer is retried
 * with the webhook module's backoff; 410 Gone stops at once. When the
 * attempts run out the processor throws, and the engine dead-letters the
 * event with the last failure as its reason; the task goes on with the next.
 */
class ShippingProcessor implements Processor<string, OrderEvent, string, ShipmentConfirmed> {
  private context!: ProcessorContext<string, ShipmentConfirmed>;
  private shipped!: KeyValueStore<string, string>;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: ShippingWebhookOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
  }

  init(context: ProcessorContext<string, ShipmentConfirmed>): void {
    this.context = context;
    this.shipped = context.getStateStore(SHIPPED_STORE);
  }

  async process(record: Record<string, OrderEvent>): Promise<void> {
    const event = record.value;
    const shipment = event.shipment_requested;
    if (!shipment) throw new SagaError('VIGIL_ERR_SAGA_UNEXPECTED_EVENT', `the shipments topic carried no shipment_requested for order "${event.order_id}"`);
    if ((await this.shipped.get(event.order_id)) !== undefined) return;
    const body = JSON.stringify({
      type: SHIPMENT_EVENT_TYPE,
      timestamp: new Date(event.at_ms).toISOString(),
      data: { order_id: event.order_id, ...shipment },
    });
    const sleep = this.options.sleep ?? realSleep;
    const random = this.options.random ?? Math.random;
    let last = '';
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      const outcome = await this.attempt(event.event_id, event.order_id, body);
      if (typeof outcome !== 'string') {
        await this.shipped.put(event.order_id, outcome.tracking_id);
        return this.context.forward(
          record.withValue<ShipmentConfirmed>({ order_id: event.order_id, tracking_id: outcome.tracking_id, attempts: attempt }),
        );
      }
      last = outcome;
      if (outcome.startsWith('HTTP 410')) break;
      if (attempt < this.policy.maxAttempts) await sleep(retryDelay(this.policy, attempt, random));
    }
    throw new SagaError('VIGIL_ERR_SHIPPING_WEBHOOK', `the shipping API did not confirm order ${event.order_id} (last: ${last}); fix the API, then replay the record from the dead-letter topic`);
  }

  /** One signed POST: the confirmation, or why it failed. */
  private async attempt(webhookId: string, orderId: string, body: string): Promise<{ tracking_id: string } | string> {
    const headers = signedHeaders(this.options.secrets, webhookId, Math.floor(this.context.currentSystemTimeMs() / 1000), body);
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
      });
      const text = await res.text();
      if (classifyStatus(res.status) !== 'delivered') return `HTTP ${res.status}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return `HTTP ${res.status} with a body that is not JSON`;
      }
      const valid = validateShippingResponse(orderId, parsed);
      return typeof valid === 'string' ? `invalid response: ${valid}` : valid;
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    }
  }
}

export function buildShippingTopology(topics: OrderTopics, serde: Serde<OrderEvent>, options: ShippingWebhookOptions & { inMemory?: boolean }): Topology {
  const kv = options.inMemory ? Stores.inMemoryKeyValueStore : Stores.persistentKeyValueStore;
  return new Topology()
    .addSource('shipments', { topics: [topics.shipments], keySerde: Serdes.String(), valueSerde: serde })
    .addProcessor('ship', () => new ShippingProcessor(options), 'shipments')
    .addStateStore(Stores.keyValueStoreBuilder(kv(SHIPPED_STORE), Serdes.String(), Serdes.String()), 'ship')
    .addSink('confirmed', topics.shipmentsConfirmed, { keySerde: Serdes.String(), valueSerde: Serdes.Json<ShipmentConfirmed>() }, 'ship');
}
