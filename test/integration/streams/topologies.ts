/**
 * Topologies shared by the runtime's integration tests, the crash-test child
 * process and the driver that computes the expected output.
 */
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Materialized } from '../../../src/streams/dsl/materialized.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import type { Topology } from '../../../src/streams/processor/topology.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';

export interface CountJoinTopics {
  readonly clicks: string;
  readonly users: string;
  readonly counts: string;
  readonly joined: string;
}

export const COUNT_STORE = 'click-counts';
export const USERS_STORE = 'users-store';

const S = Serdes.String();

/**
 * clicks (user → page) counted per user into `counts`, and joined with the
 * users table (user → name) into `joined` as "page/name".
 */
export function countAndJoin(topics: CountJoinTopics): Topology {
  const builder = new StreamsBuilder();
  const users = builder.table(topics.users, Consumed.with(S, S), Materialized.as<string, string>(USERS_STORE));
  const clicks = builder.stream(topics.clicks, Consumed.with(S, S));
  clicks.groupByKey().count(Materialized.as<string, number>(COUNT_STORE)).toStream().to(topics.counts, Produced.with(S, Serdes.Long()));
  clicks.join(users, (page: string, name: string) => `${page}/${name}`).to(topics.joined, Produced.with(S, S));
  return builder.build();
}

/** clicks counted per user into `counts` (the crash test's workload). */
export function countOnly(topics: Pick<CountJoinTopics, 'clicks' | 'counts'>): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(topics.clicks, Consumed.with(S, S))
    .groupByKey()
    .count(Materialized.as<string, number>(COUNT_STORE))
    .toStream()
    .to(topics.counts, Produced.with(S, Serdes.Long()));
  return builder.build();
}

/** Payments as JSON ({ amount }) → the amount as text; malformed JSON is a poison record. */
export function amounts(topics: { payments: string; amounts: string }): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(topics.payments, Consumed.with(S, Serdes.Json<{ amount: number }>()))
    .mapValues((p: { amount: number }) => String(p.amount))
    .to(topics.amounts, Produced.with(S, S));
  return builder.build();
}
