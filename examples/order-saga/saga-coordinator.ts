import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type Record, type Serde } from '../../src/streams/index.js';
import { kindOf, orderEvent, type OrderEvent, type OrderPlaced } from './schema.js';
import { SagaError } from './errors.js';
import type { OrderTopics } from './topics.js';

export const SAGAS_STORE = 'sagas';

/**
 * Where an order is. RESERVING → PAYING → COMPLETED is the happy path;
 * a rejected reservation cancels at once; a declined payment goes through
 * RELEASING (the compensation) before CANCELLED.
 */
export type SagaState = 'RESERVING' | 'PAYING' | 'RELEASING' | 'COMPLETED' | 'CANCELLED';
export const TERMINAL_STATES: readonly SagaState[] = ['COMPLETED', 'CANCELLED'];

export interface Saga {
  state: SagaState;
  order: OrderPlaced;
  reason?: string;
}

const SINK = { inventory: 'to-inventory', payment: 'to-payment', results: 'to-results', shipments: 'to-shipments' } as const;

/**
 * The orchestrator. Each order's saga lives in one store entry keyed by
 * order id; every input topic is keyed by order id and co-partitioned, so
 * one task sees all of an order's events in order.
 *
 * Idempotent on every edge: an event that repeats the step the saga is
 * waiting on re-sends that step's command (the services answer a repeated
 * command with their stored answer), and an event that no longer fits the
 * state is ignored. A terminal state is written once, so each order gets
 * exactly one OrderCompleted or OrderCancelled.
 */
class SagaProcessor implements Processor<string, OrderEvent, string, OrderEvent> {
  private context!: ProcessorContext<string, OrderEvent>;
  private sagas!: KeyValueStore<string, Saga>;

  init(context: ProcessorContext<string, OrderEvent>): void {
    this.context = context;
    this.sagas = context.getStateStore(SAGAS_STORE);
  }

  async process(record: Record<string, OrderEvent>): Promise<void> {
    const event = record.value;
    const id = event.order_id;
    const now = this.context.currentSystemTimeMs();
    const saga = await this.sagas.get(id);
    const send = (sink: string, key: string, e: OrderEvent) => this.context.forward(record.withKey(key).withValue(e), sink);
    const reserve = (o: OrderPlaced) => send(SINK.inventory, o.sku, orderEvent(id, 'reserve_inventory', { sku: o.sku, quantity: o.quantity }, now));
    const pay = (o: OrderPlaced) => send(SINK.payment, id, orderEvent(id, 'process_payment', { amount_minor: o.amount_minor, payment_method: o.payment_method }, now));
    const release = (o: OrderPlaced) => send(SINK.inventory, o.sku, orderEvent(id, 'release_inventory', { sku: o.sku, quantity: o.quantity }, now));
    const move = (next: SagaState, s: Saga, reason?: string) => this.sagas.put(id, { ...s, state: next, ...(reason !== undefined ? { reason } : {}) });
    const cancel = async (s: Saga, reason: string) => {
      await move('CANCELLED', s, reason);
      await send(SINK.results, id, orderEvent(id, 'order_cancelled', { reason }, now));
    };

    switch (kindOf(event)) {
      case 'order_placed': {
        const order = event.order_placed!;
        if (!saga) {
          await this.sagas.put(id, { state: 'RESERVING', order });
          return reserve(order);
        }
        if (saga.state === 'RESERVING') return reserve(saga.order);
        return;
      }
      case 'inventory_reserved':
        if (saga?.state === 'RESERVING') {
          await move('PAYING', saga);
          return pay(saga.order);
        }
        if (saga?.state === 'PAYING') return pay(saga.order);
        return;
      case 'inventory_rejected':
        if (saga?.state === 'RESERVING') return cancel(saga, event.inventory_rejected!.reason);
        return;
      case 'payment_processed':
        if (saga?.state === 'PAYING') {
          await move('COMPLETED', saga);
          const o = saga.order;
          await send(SINK.results, id, orderEvent(id, 'order_completed', { amount_minor: o.amount_minor, category: o.category }, now));
          return send(SINK.shipments, id, orderEvent(id, 'shipment_requested', { customer_id: o.customer_id, sku: o.sku, quantity: o.quantity }, now));
        }
        return;
      case 'payment_declined':
        if (saga?.state === 'PAYING') {
          // The compensation: give the reserved stock back before cancelling.
          await move('RELEASING', saga, event.payment_declined!.reason);
          return release(saga.order);
        }
        if (saga?.state === 'RELEASING') return release(saga.order);
        return;
      case 'inventory_released':
        if (saga?.state === 'RELEASING') return cancel(saga, saga.reason ?? 'payment declined');
        return;
      default:
        throw new SagaError('VIGIL_ERR_SAGA_UNEXPECTED_EVENT', `the saga cannot handle ${kindOf(event) ?? 'an empty envelope'} for order "${id}"`);
    }
  }
}

export function buildSagaTopology(topics: OrderTopics, serde: Serde<OrderEvent>, options: { inMemory?: boolean; into?: Topology } = {}): Topology {
  const kv = options.inMemory ? Stores.inMemoryKeyValueStore : Stores.persistentKeyValueStore;
  const out = { keySerde: Serdes.String(), valueSerde: serde };
  return (options.into ?? new Topology())
    .addSource('saga-inputs', { topics: [topics.orders, topics.inventoryEvents, topics.paymentEvents], keySerde: Serdes.String(), valueSerde: serde })
    .addProcessor('saga', () => new SagaProcessor(), 'saga-inputs')
    .addStateStore(Stores.keyValueStoreBuilder(kv(SAGAS_STORE), Serdes.String(), Serdes.Json<Saga>()), 'saga')
    .addSink(SINK.inventory, topics.inventoryCommands, out, 'saga')
    .addSink(SINK.payment, topics.paymentCommands, out, 'saga')
    .addSink(SINK.results, topics.orderResults, out, 'saga')
    .addSink(SINK.shipments, topics.shipments, out, 'saga');
}
