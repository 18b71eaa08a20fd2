import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type Record, type Serde } from '../../src/streams/index.js';
import { kindOf, orderEvent, type OrderEvent } from './schema.js';
import { SagaError } from './errors.js';
import type { OrderTopics } from './topics.js';

export const STOCK_STORE = 'stock';
export const RESERVATIONS_STORE = 'reservations';

/** What the inventory remembers per order, so a repeated command repeats its answer instead of its effect. */
export interface Reservation {
  sku: string;
  quantity: number;
  state: 'reserved' | 'rejected' | 'released';
}

/**
 * Owns the stock of the SKUs on its partitions (commands are keyed by SKU).
 * Stock only moves with a reservation record written in the same task, so
 * a command seen twice — a redelivery, a saga step retried after a crash —
 * answers as the first time did and never counts twice. A reservation is
 * refused rather than taking stock below zero.
 */
class InventoryProcessor implements Processor<string, OrderEvent, string, OrderEvent> {
  private context!: ProcessorContext<string, OrderEvent>;
  private stock!: KeyValueStore<string, number>;
  private reservations!: KeyValueStore<string, Reservation>;

  init(context: ProcessorContext<string, OrderEvent>): void {
    this.context = context;
    this.stock = context.getStateStore(STOCK_STORE);
    this.reservations = context.getStateStore(RESERVATIONS_STORE);
  }

  async process(record: Record<string, OrderEvent>): Promise<void> {
    const event = record.value;
    const now = this.context.currentSystemTimeMs();
    const reply = (e: OrderEvent) => this.context.forward(record.withKey(event.order_id).withValue(e));
    const kind = kindOf(event);
    if (kind === 'restock' && event.restock) {
      // Restocks are deduplicated by event id through the same store.
      const marker = `restock:${event.event_id}`;
      if (await this.reservations.get(marker)) return;
      const { sku, quantity } = event.restock;
      await this.stock.put(sku, ((await this.stock.get(sku)) ?? 0) + quantity);
      await this.reservations.put(marker, { sku, quantity, state: 'released' });
      return;
    }
    if (kind === 'reserve_inventory' && event.reserve_inventory) {
      const { sku, quantity } = event.reserve_inventory;
      const known = await this.reservations.get(event.order_id);
      if (known) return reply(answerOf(event.order_id, known, now));
      const available = (await this.stock.get(sku)) ?? 0;
      const reservation: Reservation = { sku, quantity, state: available >= quantity && quantity > 0 ? 'reserved' : 'rejected' };
      if (reservation.state === 'reserved') await this.stock.put(sku, available - quantity);
      await this.reservations.put(event.order_id, reservation);
      return reply(
        reservation.state === 'reserved'
          ? orderEvent(event.order_id, 'inventory_reserved', { sku, quantity }, now)
          : orderEvent(event.order_id, 'inventory_rejected', { sku, reason: `out of stock: ${available} of ${sku} left, ${quantity} wanted` }, now),
      );
    }
    if (kind === 'release_inventory' && event.release_inventory) {
      const known = await this.reservations.get(event.order_id);
      if (known?.state === 'reserved') {
        await this.stock.put(known.sku, ((await this.stock.get(known.sku)) ?? 0) + known.quantity);
        await this.reservations.put(event.order_id, { ...known, state: 'released' });
        return reply(orderEvent(event.order_id, 'inventory_released', { sku: known.sku, quantity: known.quantity }, now));
      }
      // Already released (a repeated command) or never reserved: nothing to give back, but the saga needs its answer.
      return reply(orderEvent(event.order_id, 'inventory_released', { sku: event.release_inventory.sku, quantity: known?.state === 'released' ? known.quantity : 0 }, now));
    }
    throw new SagaError('VIGIL_ERR_SAGA_UNEXPECTED_EVENT', `inventory-commands carried ${kind ?? 'an empty envelope'} for order "${event.order_id}"; only restock, reserve_inventory and release_inventory belong there`);
  }
}

function answerOf(orderId: string, r: Reservation, now: number): OrderEvent {
  if (r.state === 'reserved') return orderEvent(orderId, 'inventory_reserved', { sku: r.sku, quantity: r.quantity }, now);
  if (r.state === 'released') return orderEvent(orderId, 'inventory_released', { sku: r.sku, quantity: r.quantity }, now);
  return orderEvent(orderId, 'inventory_rejected', { sku: r.sku, reason: 'out of stock' }, now);
}

export function buildInventoryTopology(topics: OrderTopics, serde: Serde<OrderEvent>, options: { inMemory?: boolean; into?: Topology } = {}): Topology {
  const kv = options.inMemory ? Stores.inMemoryKeyValueStore : Stores.persistentKeyValueStore;
  return (options.into ?? new Topology())
    .addSource('inventory-commands', { topics: [topics.inventoryCommands], keySerde: Serdes.String(), valueSerde: serde })
    .addProcessor('inventory', () => new InventoryProcessor(), 'inventory-commands')
    .addStateStore(Stores.keyValueStoreBuilder(kv(STOCK_STORE), Serdes.String(), Serdes.Long()), 'inventory')
    .addStateStore(Stores.keyValueStoreBuilder(kv(RESERVATIONS_STORE), Serdes.String(), Serdes.Json<Reservation>()), 'inventory')
    .addSink('inventory-events', topics.inventoryEvents, { keySerde: Serdes.String(), valueSerde: serde }, 'inventory');
}
