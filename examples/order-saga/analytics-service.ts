import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, type Serde, type Topology } from '../../src/streams/index.js';
import type { OrderEvent } from './schema.js';
import type { OrderTopics } from './topics.js';

export const REVENUE_STORE = 'revenue-per-category';
export const REVENUE_WINDOW_MS = 60_000;

/** One window's revenue for one category, as written to the revenue topic. */
export interface CategoryRevenue {
  category: string;
  window_start_ms: number;
  revenue_minor: number;
  orders: number;
}

/** Completed orders → revenue per category per minute (tumbling, event time). Cancelled orders earn nothing. */
export function buildAnalyticsTopology(topics: OrderTopics, serde: Serde<OrderEvent>, options: { inMemory?: boolean } = {}): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(topics.orderResults, Consumed.with(Serdes.String(), serde))
    .filter((_id, e) => e.order_completed !== undefined && e.order_completed !== null)
    .groupBy((_id, e) => e.order_completed!.category, Grouped.with(Serdes.String(), serde))
    .windowedBy(TimeWindows.ofSizeWithNoGrace(REVENUE_WINDOW_MS))
    .aggregate<{ revenue_minor: number; orders: number }>(
      () => ({ revenue_minor: 0, orders: 0 }),
      (_category, e, agg) => ({ revenue_minor: agg.revenue_minor + e.order_completed!.amount_minor, orders: agg.orders + 1 }),
      Materialized.as<string, { revenue_minor: number; orders: number }>(REVENUE_STORE)
        .withValueSerde(Serdes.Json())
        .withStoreType(options.inMemory ? 'memory' : 'leveldb'),
    )
    .toStream()
    .map((w, agg) => ({ key: w.key, value: { category: w.key, window_start_ms: w.window.start, ...agg } satisfies CategoryRevenue }))
    .to(topics.revenue, Produced.with(Serdes.String(), Serdes.Json<CategoryRevenue>()));
  return builder.build();
}
