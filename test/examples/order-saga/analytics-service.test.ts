import { afterEach, describe, expect, it } from 'vitest';
import { buildAnalyticsTopology, type CategoryRevenue } from '../../../examples/order-saga/analytics-service.js';
import { ORDER_EVENT, orderEvent, ordersSchema, type OrderEvent } from '../../../examples/order-saga/schema.js';
import { envelopeTopics, orderTopics } from '../../../examples/order-saga/topics.js';
import { staticRegistrySerde } from '../../../src/registry/registry-serde.js';
import { Serdes, TopologyTestDriver } from '../../../src/streams/index.js';

const topics = orderTopics();
const serde = staticRegistrySerde<OrderEvent>({ schema: ordersSchema(), messageName: ORDER_EVENT, schemaIds: new Map(envelopeTopics(topics).map((t) => [`${t}-value`, [1]])) });

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

describe('analytics: revenue per category per minute', () => {
  it('sums completed orders per category in one-minute windows and ignores cancellations', async () => {
    driver = new TopologyTestDriver(buildAnalyticsTopology(topics, serde, { inMemory: true }), { cachingEnabled: false });
    const results = driver.createInputTopic(topics.orderResults, Serdes.String(), serde);
    const revenue = driver.createOutputTopic(topics.revenue, Serdes.String(), Serdes.Json<CategoryRevenue>());
    const done = (id: string, amount: number, category: string) => orderEvent(id, 'order_completed', { amount_minor: amount, category }, 0);
    await results.pipeInput('o-1', done('o-1', 1_000, 'books'), 10_000);
    await results.pipeInput('o-2', orderEvent('o-2', 'order_cancelled', { reason: 'out of stock' }, 0), 20_000);
    await results.pipeInput('o-3', done('o-3', 2_500, 'books'), 30_000);
    await results.pipeInput('o-4', done('o-4', 700, 'games'), 40_000);
    await results.pipeInput('o-5', done('o-5', 300, 'books'), 70_000);
    expect(revenue.readValuesToList()).toEqual([
      { category: 'books', window_start_ms: 0, revenue_minor: 1_000, orders: 1 },
      { category: 'books', window_start_ms: 0, revenue_minor: 3_500, orders: 2 },
      { category: 'games', window_start_ms: 0, revenue_minor: 700, orders: 1 },
      { category: 'books', window_start_ms: 60_000, revenue_minor: 300, orders: 1 },
    ]);
  });
});
