import { randomBytes } from 'node:crypto';
import type { StreamsMetrics } from '../../src/streams/index.js';
import { connectConsumer, connectProducer } from '../../src/streams/kafka/index.js';
import { WebhookSecret } from '../../src/webhook/index.js';
import { ORDER_SERVICES, ensureOrderTopics, orderEventSerde, startOrderService, type RunningService } from './app.js';
import { MockShippingApi } from './mock-shipping-api.js';
import { kindOf, orderEvent } from './schema.js';
import { orderTopics } from './topics.js';

export interface OrderSagaDemoOptions {
  brokers: readonly string[];
  registryUrl: string;
  stateDir: string;
  orders: number;
  intervalMs: number;
  metrics?: (service: string) => StreamsMetrics | undefined;
  onSummary: (line: string) => void;
  stopped: Promise<unknown>;
}

const SKUS = [
  { sku: 'book-1', category: 'books', price: 1_500 },
  { sku: 'game-1', category: 'games', price: 5_900 },
  { sku: 'lamp-1', category: 'home', price: 3_200 },
];

/**
 * The order saga on a running cluster: the five services in this process,
 * a mock warehouse, and a shop placing orders (every 5th is declined, the
 * lamp runs out of stock, the warehouse has one short outage). Resolves
 * with the count per terminal state once every order finished (or when stopped).
 */
export async function runOrderSagaDemo(o: OrderSagaDemoOptions): Promise<Record<string, number>> {
  // A fresh set of topics per run, so a second run does not replay the first's orders.
  const run = Date.now().toString(36);
  const topics = orderTopics(`demo-${run}-`);
  const secret = WebhookSecret.parse(`whsec_${randomBytes(32).toString('base64')}`);
  const warehouse = await MockShippingApi.start([secret]);
  await ensureOrderTopics(o.brokers, topics);
  const serde = await orderEventSerde(o.registryUrl, topics);
  const services: RunningService[] = [];
  for (const service of ORDER_SERVICES) {
    const metrics = o.metrics?.(service);
    services.push(
      await startOrderService(service, {
        brokers: o.brokers,
        registryUrl: o.registryUrl,
        topics,
        stateDir: o.stateDir,
        appPrefix: `demo-${run}-`,
        shipping: { url: warehouse.url, secrets: [secret] },
        ...(metrics ? { metrics } : {}),
      }),
    );
  }
  const producer = await connectProducer({ brokers: [...o.brokers], clientId: 'vigil-example-shop' }, { idempotent: true });
  const results = await connectConsumer({ brokers: [...o.brokers], clientId: 'vigil-example-shop' }, { groupId: `demo-${run}-summary`, isolation: 'read_committed', maxWaitTimeMs: 100 });
  const counts: Record<string, number> = { order_completed: 0, order_cancelled: 0 };
  await results.subscribe({ topics: [topics.orderResults], fromBeginning: true });
  void results.run({
    eachBatch: async (batch) => {
      for (const r of batch.records) {
        const e = serde.deserialize(topics.orderResults, r.value);
        const kind = e ? kindOf(e) : undefined;
        if (kind) counts[kind] = (counts[kind] ?? 0) + 1;
      }
    },
  });
  let stop = false;
  void o.stopped.then(() => (stop = true));
  let placed = 0;
  const finished = () => (counts.order_completed ?? 0) + (counts.order_cancelled ?? 0);
  const summary = () =>
    `orders placed ${placed}/${o.orders} · in flight ${placed - finished()} · completed ${counts.order_completed} · cancelled ${counts.order_cancelled} · shipped ${warehouse.shipments.size} · warehouse 503s ${warehouse.requests.filter((r) => r.status === 503).length}`;
  const ticker = setInterval(() => o.onSummary(summary()), 1_000);
  try {
    await producer.send(
      SKUS.map((s) => ({ topic: topics.inventoryCommands, key: s.sku, value: serde.serialize(topics.inventoryCommands, orderEvent(`restock-${s.sku}`, 'restock', { sku: s.sku, quantity: s.sku === 'lamp-1' ? 3 : 1_000 }, Date.now())) })),
    );
    for (let i = 0; i < o.orders && !stop; i++) {
      if (i === Math.floor(o.orders / 2)) warehouse.failNext(3);
      const item = SKUS[i % SKUS.length]!;
      const id = `order-${i}`;
      const placedEvent = orderEvent(id, 'order_placed', { customer_id: `c-${i % 7}`, sku: item.sku, quantity: 1, amount_minor: item.price, category: item.category, payment_method: i % 5 === 4 ? 'card-declined' : 'card' }, Date.now());
      await producer.send([{ topic: topics.orders, key: id, value: serde.serialize(topics.orders, placedEvent) }]);
      placed++;
      await new Promise((r) => setTimeout(r, o.intervalMs));
    }
    while (!stop && finished() < placed) await new Promise((r) => setTimeout(r, 200));
    // Shipping trails completion by a webhook round trip (and the outage's retries).
    for (let waited = 0; !stop && warehouse.shipments.size < (counts.order_completed ?? 0) && waited < 20_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    o.onSummary(summary());
    return { placed, completed: counts.order_completed ?? 0, cancelled: counts.order_cancelled ?? 0, shipped: warehouse.shipments.size };
  } finally {
    clearInterval(ticker);
    await results.close();
    await producer.close();
    for (const s of services) await s.close();
    serde.close();
    await warehouse.close();
  }
}
