import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureOrderTopics, orderEventSerde, startOrderService, type OrderServiceOptions, type RunningService } from '../../../examples/order-saga/app.js';
import { RESERVATIONS_STORE, STOCK_STORE, type Reservation } from '../../../examples/order-saga/inventory-service.js';
import { MockShippingApi } from '../../../examples/order-saga/mock-shipping-api.js';
import { kindOf, orderEvent, type OrderEvent, type OrderPlaced } from '../../../examples/order-saga/schema.js';
import type { ShipmentConfirmed } from '../../../examples/order-saga/shipping-webhook.js';
import { orderTopics, type OrderTopics } from '../../../examples/order-saga/topics.js';
import type { RegistrySerde } from '../../../src/registry/registry-serde.js';
import { connectConsumer, connectProducer, type KafkaConsumer, type KafkaProducer } from '../../../src/streams/kafka/index.js';
import { WebhookSecret } from '../../../src/webhook/index.js';
import { Serdes } from '../../../src/streams/index.js';
import { readRecords, uniqueName } from '../../integration/helpers.js';

const SECRET_TEXT = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const brokers = () => inject('kafkaBrokers').split(',');

let topics: OrderTopics;
let options: OrderServiceOptions;
let serde: RegistrySerde<OrderEvent>;
let shippingApi: MockShippingApi;
let producer: KafkaProducer;
let resultsReader: KafkaConsumer;
let confirmationsReader: KafkaConsumer;
let sagaChild: ChildProcess | undefined;
const services = new Map<string, RunningService>();
/** Order id → every terminal event seen for it, in order (read_committed). */
const terminals = new Map<string, string[]>();
const confirmations = new Map<string, number>();
let stateDir: string;

/** The saga coordinator in a child process, so a test can SIGKILL it. Resolves when it is RUNNING. */
function startSagaChild(): Promise<ChildProcess> {
  const { shipping: _omit, ...rest } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/order-saga/service-main.ts', 'saga'], {
    env: { ...process.env, VIGIL_ORDER_SERVICE: JSON.stringify(rest) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the saga process did not report ready in 90 s')), 90_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready saga')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the saga process exited with ${code} before it was ready`)));
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function place(orders: Array<[string, Partial<OrderPlaced>]>): Promise<void> {
  await producer.send(
    orders.map(([id, o]) => ({
      topic: topics.orders,
      key: id,
      value: serde.serialize(topics.orders, orderEvent(id, 'order_placed', { customer_id: 'c-1', sku: 'sku-a', quantity: 1, amount_minor: 1_000, category: 'books', payment_method: 'card', ...o }, Date.now())),
    })),
  );
}

async function restock(sku: string, quantity: number): Promise<void> {
  const e = orderEvent(uniqueName('restock'), 'restock', { sku, quantity }, Date.now());
  await producer.send([{ topic: topics.inventoryCommands, key: sku, value: serde.serialize(topics.inventoryCommands, e) }]);
}

async function stockOf(sku: string): Promise<number | undefined> {
  return services.get('inventory')!.streams.keyValueStore<string, number>(STOCK_STORE).get(sku);
}

async function reservationOf(orderId: string): Promise<Reservation | undefined> {
  return services.get('inventory')!.streams.keyValueStore<string, Reservation>(RESERVATIONS_STORE).get(orderId);
}

beforeAll(async () => {
  topics = orderTopics(`${uniqueName('saga')}-`);
  stateDir = mkdtempSync(join(tmpdir(), 'vigil-saga-'));
  shippingApi = await MockShippingApi.start([WebhookSecret.parse(SECRET_TEXT)]);
  options = {
    brokers: brokers(),
    registryUrl: inject('schemaRegistryUrl'),
    topics,
    stateDir,
    appPrefix: `${uniqueName('orders')}-`,
    shipping: { url: shippingApi.url, secrets: [WebhookSecret.parse(SECRET_TEXT)] },
  };
  await ensureOrderTopics(options.brokers, topics);
  serde = await orderEventSerde(options.registryUrl, topics);
  producer = await connectProducer({ brokers: [...options.brokers], clientId: 'saga-test' }, { idempotent: true });
  // The services except the coordinator run in this process; started together they share the two cores.
  const started = await Promise.all((['inventory', 'payment', 'analytics', 'shipping'] as const).map((s) => startOrderService(s, options)));
  for (const s of started) services.set(s.service, s);
  sagaChild = await startSagaChild();
  await Promise.all(started.map((s) => s.streams.waitForState('RUNNING', 90_000)));

  resultsReader = await connectConsumer({ brokers: [...options.brokers], clientId: 'saga-test' }, { groupId: uniqueName('results'), isolation: 'read_committed', maxWaitTimeMs: 100 });
  await resultsReader.subscribe({ topics: [topics.orderResults], fromBeginning: true });
  void resultsReader.run({
    eachBatch: async (batch) => {
      for (const r of batch.records) {
        const e = serde.deserialize(topics.orderResults, r.value);
        if (!e) continue;
        terminals.set(e.order_id, [...(terminals.get(e.order_id) ?? []), kindOf(e) ?? '?']);
      }
    },
  });
  confirmationsReader = await connectConsumer({ brokers: [...options.brokers], clientId: 'saga-test' }, { groupId: uniqueName('confirmed'), isolation: 'read_committed', maxWaitTimeMs: 100 });
  await confirmationsReader.subscribe({ topics: [topics.shipmentsConfirmed], fromBeginning: true });
  void confirmationsReader.run({
    eachBatch: async (batch) => {
      for (const r of batch.records) {
        const c = JSON.parse(r.value!.toString()) as ShipmentConfirmed;
        confirmations.set(c.order_id, (confirmations.get(c.order_id) ?? 0) + 1);
      }
    },
  });
}, 240_000);

afterAll(async () => {
  sagaChild?.kill('SIGKILL');
  await resultsReader?.close();
  await confirmationsReader?.close();
  for (const s of services.values()) await s.close();
  await producer?.close();
  serde?.close();
  await shippingApi?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('order saga on the real broker and registry', () => {
  it('ends every order in exactly one terminal state through declines, out-of-stock and a shipping outage', async () => {
    await restock('sku-a', 10);
    await restock('sku-b', 2);
    // The warehouse is down for the first five attempts; the shipping service retries through it.
    shippingApi.failNext(5);
    const orders: Array<[string, Partial<OrderPlaced>]> = [
      ['f-1', {}],
      ['f-2', { payment_method: 'card-declined', quantity: 3 }],
      ['f-3', { sku: 'sku-b', quantity: 2, category: 'games' }],
      ['f-4', { sku: 'sku-b', quantity: 1, category: 'games' }],
      ['f-5', { quantity: 2 }],
      ['f-6', { amount_minor: 5_000_000 }],
      ['f-7', { sku: 'sku-c' }],
    ];
    await place(orders);
    await until(() => orders.every(([id]) => terminals.has(id)), 'a terminal state for every order');
    // Duplicates would arrive right behind the first; give them a moment to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(Object.fromEntries(orders.map(([id]) => [id, terminals.get(id)]))).toEqual({
      'f-1': ['order_completed'],
      'f-2': ['order_cancelled'],
      'f-3': ['order_completed'],
      'f-4': ['order_cancelled'],
      'f-5': ['order_completed'],
      'f-6': ['order_cancelled'],
      'f-7': ['order_cancelled'],
    });
    // sku-a: 10 − f-1 − f-5(2) = 7, with f-2's and f-6's reservations given back; sku-b sold out, never below 0.
    expect(await stockOf('sku-a')).toBe(7);
    expect(await stockOf('sku-b')).toBe(0);
    expect((await reservationOf('f-2'))?.state).toBe('released');
    expect((await reservationOf('f-6'))?.state).toBe('released');
    expect((await reservationOf('f-4'))?.state).toBe('rejected');
    await until(() => ['f-1', 'f-3', 'f-5'].every((id) => confirmations.has(id)), 'shipping confirmations', 60_000);
    expect([...shippingApi.shipments.keys()].sort()).toEqual(['f-1', 'f-3', 'f-5']);
    expect(shippingApi.requests.filter((r) => r.status === 503)).toHaveLength(5);
    expect(shippingApi.requests.every((r) => r.status !== 401)).toBe(true);
  });

  it('recovers from the saga service being SIGKILLed mid-saga: no order stuck, none finished twice', async () => {
    // Enough for every order at once: declined orders hold their unit until the compensation releases it.
    await restock('sku-k', 30);
    const orders: Array<[string, Partial<OrderPlaced>]> = Array.from({ length: 30 }, (_, i) => [
      `k-${i}`,
      { sku: 'sku-k', payment_method: i % 3 === 0 ? 'card-declined' : 'card' },
    ]);
    // Ten orders, then ten more just before the kill (in flight at every step), then ten while the saga is down.
    await place(orders.slice(0, 10));
    await until(() => orders.some(([id]) => terminals.has(id)), 'the first finished order');
    await place(orders.slice(10, 20));
    const killedAfter = orders.filter(([id]) => terminals.has(id)).length;
    sagaChild!.kill('SIGKILL');
    await new Promise((r) => sagaChild!.once('exit', r));
    await place(orders.slice(20));
    sagaChild = await startSagaChild();
    await until(() => orders.every(([id]) => terminals.has(id)), 'a terminal state for every order after the restart', 90_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(killedAfter).toBeLessThanOrEqual(10);
    for (const [id, o] of orders) {
      expect(terminals.get(id), id).toEqual([o.payment_method === 'card-declined' ? 'order_cancelled' : 'order_completed']);
    }
    // 20 completed orders of one unit each out of 30; the 10 declined gave theirs back.
    expect(await stockOf('sku-k')).toBe(10);
    for (const [id, o] of orders) if (o.payment_method === 'card-declined') expect((await reservationOf(id))?.state, id).toBe('released');
  });

  it('never took stock below zero: every value the stock store ever held, read back from its changelog', async () => {
    const changelog = `${options.appPrefix}inventory-${STOCK_STORE}-changelog`;
    // Read for five seconds: the changelog holds every put of both tests above.
    const all = await readRecords([changelog], Number.MAX_SAFE_INTEGER, { timeoutMs: 5_000, isolation: 'read_committed' });
    const values = all.filter((r) => r.value !== null).map((r) => Serdes.Long().deserialize(changelog, r.value!) as number);
    expect(values.length).toBeGreaterThan(10);
    expect(values.filter((v) => v < 0)).toEqual([]);
  });
});
