import { inject, onTestFinished } from 'vitest';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/index.js';
import { vigilSchema } from '../../src/fraud/schema/index.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import { uniqueName } from './helpers.js';
import { createTopics } from './streams/helpers.js';

export interface FraudTestTopics {
  transactions: string;
  userProfiles: string;
  alerts: string;
  deadLetter: string;
}

/**
 * Fresh fraud topics of one partition each, so offsets (and alert ids, which
 * hold the source offset) and alert order match the one-partition test driver.
 */
export async function freshFraudTopics(): Promise<FraudTestTopics> {
  const topics = {
    transactions: uniqueName('transactions'),
    userProfiles: uniqueName('user-profiles'),
    alerts: uniqueName('alerts'),
    deadLetter: uniqueName('transactions.dlq'),
  };
  await createTopics(1, topics.transactions, topics.userProfiles, topics.alerts, topics.deadLetter);
  return topics;
}

/** A registry serde for `messageName`, registered under `topics`, closed when the test ends. */
export async function preparedSerde<T>(topics: string[], messageName: string): Promise<RegistrySerde<T>> {
  const serde = registrySerde<T>({ url: inject('schemaRegistryUrl'), topics, schema: vigilSchema().text, messageName, refreshIntervalMs: 0 });
  await serde.prepare();
  onTestFinished(() => serde.close());
  return serde;
}

/** The fraud topology's serdes on these topics (transactions also on the DLQ, which holds rejected ones). */
export async function fraudSerdes(topics: FraudTestTopics) {
  return {
    transaction: await preparedSerde<Transaction>([topics.transactions, topics.deadLetter], 'vigil.v1.Transaction'),
    profile: await preparedSerde<UserProfile>([topics.userProfiles], 'vigil.v1.UserProfile'),
    alert: await preparedSerde<Alert>([topics.alerts], 'vigil.v1.Alert'),
  };
}
