import { afterEach, describe, expect, it } from 'vitest';
import { buildInventoryTopology, RESERVATIONS_STORE, STOCK_STORE, type Reservation } from '../../../examples/order-saga/inventory-service.js';
import { buildPaymentTopology } from '../../../examples/order-saga/payment-service.js';
import { buildSagaTopology, SAGAS_STORE, type Saga } from '../../../examples/order-saga/saga-coordinator.js';
import { ORDER_EVENT, kindOf, orderEvent, ordersSchema, type OrderEvent, type OrderPlaced } from '../../../examples/order-saga/schema.js';
import { envelopeTopics, orderTopics } from '../../../examples/order-saga/topics.js';
import { staticRegistrySerde } from '../../../src/registry/registry-serde.js';
import { Serdes, Topology, TopologyTestDriver, continueOnProcessingError, type KeyValueStore } from '../../../src/streams/index.js';

const topics = orderTopics();
const serde = staticRegistrySerde<OrderEvent>({
  schema: ordersSchema(),
  messageName: ORDER_EVENT,
  schemaIds: new Map(envelopeTopics(topics).map((t) => [`${t}-value`, [1]])),
});

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

/** Saga, inventory and payment in one driver: their topics feed each other in-process. */
function wholeSaga() {
  const topology = new Topology();
  buildSagaTopology(topics, serde, { inMemory: true, into: topology });
  buildInventoryTopology(topics, serde, { inMemory: true, into: topology });
  buildPaymentTopology(topics, serde, { inMemory: true, into: topology });
  driver = new TopologyTestDriver(topology, { processingExceptionHandler: continueOnProcessingError, deadLetterTopic: topics.dlq });
  const d = driver;
  const orders = d.createInputTopic(topics.orders, Serdes.String(), serde);
  const commands = d.createInputTopic(topics.inventoryCommands, Serdes.String(), serde);
  const results = d.createOutputTopic(topics.orderResults, Serdes.String(), serde);
  const shipments = d.createOutputTopic(topics.shipments, Serdes.String(), serde);
  return {
    d,
    restock: (sku: string, quantity: number, id = `restock-${sku}-${quantity}`) => commands.pipeInput(sku, orderEvent(id, 'restock', { sku, quantity }, 0)),
    place: (id: string, order: Partial<OrderPlaced> = {}) =>
      orders.pipeInput(id, orderEvent(id, 'order_placed', { customer_id: 'c-1', sku: 'sku-1', quantity: 1, amount_minor: 1_000, category: 'books', payment_method: 'card', ...order }, 0)),
    results: () => results.readKeyValuesToList().map(({ key, value }) => [key, value ? kindOf(value) : null]),
    shipments,
    stock: (sku: string) => (d.getKeyValueStore<string, number>(STOCK_STORE) as KeyValueStore<string, number>).get(sku),
    saga: (id: string) => (d.getKeyValueStore<string, Saga>(SAGAS_STORE) as KeyValueStore<string, Saga>).get(id),
    reservation: (id: string) => (d.getKeyValueStore<string, Reservation>(RESERVATIONS_STORE) as KeyValueStore<string, Reservation>).get(id),
  };
}

describe('order saga (saga + inventory + payment on the TopologyTestDriver)', () => {
  it('completes a paid order, takes its stock and requests its shipment', async () => {
    const s = wholeSaga();
    await s.restock('sku-1', 5);
    await s.place('o-1', { quantity: 2 });
    expect(s.results()).toEqual([['o-1', 'order_completed']]);
    expect(await s.stock('sku-1')).toBe(3);
    expect((await s.saga('o-1'))?.state).toBe('COMPLETED');
    const [shipment] = s.shipments.readValuesToList();
    expect(shipment?.shipment_requested).toEqual({ customer_id: 'c-1', sku: 'sku-1', quantity: 2 });
  });

  it('compensates a declined payment: the reservation is released and the order cancelled with the reason', async () => {
    const s = wholeSaga();
    await s.restock('sku-1', 5);
    await s.place('o-2', { quantity: 4, payment_method: 'card-declined' });
    expect(s.results()).toEqual([['o-2', 'order_cancelled']]);
    expect(await s.stock('sku-1')).toBe(5);
    expect((await s.reservation('o-2'))?.state).toBe('released');
    expect(await s.saga('o-2')).toMatchObject({ state: 'CANCELLED', reason: 'card declined by issuer' });
    expect(s.shipments.isEmpty()).toBe(true);
  });

  it('cancels an out-of-stock order without taking stock below zero', async () => {
    const s = wholeSaga();
    await s.restock('sku-1', 3);
    await s.place('o-3', { quantity: 2 });
    await s.place('o-4', { quantity: 2 });
    await s.place('o-5', { quantity: 1 });
    expect(s.results()).toEqual([
      ['o-3', 'order_completed'],
      ['o-4', 'order_cancelled'],
      ['o-5', 'order_completed'],
    ]);
    expect(await s.stock('sku-1')).toBe(0);
    expect((await s.saga('o-4'))?.reason).toMatch(/out of stock: 1 of sku-1 left, 2 wanted/);
  });

  it('ends every order in exactly one terminal state when each event is delivered twice', async () => {
    const s = wholeSaga();
    await s.restock('sku-1', 2);
    await s.restock('sku-1', 2); // the same restock event again: counted once
    for (const id of ['o-6', 'o-7', 'o-8']) {
      const method = id === 'o-7' ? 'card-declined' : 'card';
      await s.place(id, { payment_method: method });
      await s.place(id, { payment_method: method });
    }
    const results = s.results();
    expect(results).toEqual([
      ['o-6', 'order_completed'],
      ['o-7', 'order_cancelled'],
      ['o-8', 'order_completed'],
    ]);
    expect(await s.stock('sku-1')).toBe(0);
  });

  it('answers a repeated reserve command with the stored answer and does not reserve twice', async () => {
    const s = wholeSaga();
    await s.restock('sku-1', 1);
    const commands = s.d.createInputTopic(topics.inventoryCommands, Serdes.String(), serde);
    const events = s.d.createOutputTopic(topics.inventoryEvents, Serdes.String(), serde);
    await commands.pipeInput('sku-1', orderEvent('o-9', 'reserve_inventory', { sku: 'sku-1', quantity: 1 }, 0));
    await commands.pipeInput('sku-1', orderEvent('o-9', 'reserve_inventory', { sku: 'sku-1', quantity: 1 }, 0));
    expect(events.readValuesToList().map((e) => e && kindOf(e))).toEqual(['inventory_reserved', 'inventory_reserved']);
    expect(await s.stock('sku-1')).toBe(0);
  });

  it('dead-letters an event on the wrong topic with a code and goes on with the next order', async () => {
    const s = wholeSaga();
    const dlq = s.d.createOutputTopic(topics.dlq, Serdes.String(), Serdes.Bytes());
    const orders = s.d.createInputTopic(topics.orders, Serdes.String(), serde);
    await orders.pipeInput('o-10', orderEvent('o-10', 'shipment_requested', { customer_id: 'c', sku: 'sku-1', quantity: 1 }, 0));
    await s.restock('sku-1', 1);
    await s.place('o-11');
    const [letter] = dlq.readRecordsToList();
    expect(letter?.headers.get('vigil.error.message')?.toString()).toBe('VIGIL_ERR_SAGA_UNEXPECTED_EVENT: the saga cannot handle shipment_requested for order "o-10"');
    expect(s.results()).toEqual([['o-11', 'order_completed']]);
  });
});
