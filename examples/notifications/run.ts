import { join } from 'node:path';
import type { StreamsMetrics } from '../../src/streams/index.js';
import { connectProducer } from '../../src/streams/kafka/index.js';
import { DEFAULT_NOTIFICATION_TOPICS, signupSerde, startNotifier } from './app.js';
import { MockProvider } from './mock-provider.js';
import { publishSignups, signupEvent } from './user-service.js';

export interface NotificationsDemoOptions {
  brokers: readonly string[];
  registryUrl: string;
  stateDir: string;
  /** Signups to publish, one every `intervalMs`. */
  signups: number;
  intervalMs: number;
  /** Every `failEvery`-th signup hits a provider outage of two 503s (0: never). */
  failEvery: number;
  metrics?: (service: string) => StreamsMetrics | undefined;
  /** Called about once a second with a one-line summary. */
  onSummary: (line: string) => void;
  /** Resolves to stop early (Ctrl-C). */
  stopped: Promise<unknown>;
}

/**
 * The notifications example end to end on a running cluster: a mock
 * provider, one notifier, and a user service publishing signups. Resolves
 * with the count of notifications delivered once every signup was notified
 * (or when stopped).
 */
export async function runNotificationsDemo(o: NotificationsDemoOptions): Promise<{ published: number; delivered: number }> {
  const provider = await MockProvider.start();
  const topics = DEFAULT_NOTIFICATION_TOPICS;
  const metrics = o.metrics?.('notifier');
  const notifier = await startNotifier({
    brokers: o.brokers,
    registryUrl: o.registryUrl,
    provider: { baseUrl: provider.url },
    notifier: 'welcome',
    stateDir: join(o.stateDir, 'notifier'),
    ...(metrics ? { metrics } : {}),
  });
  const serde = await signupSerde(o.registryUrl, topics);
  const producer = await connectProducer({ brokers: [...o.brokers], clientId: 'vigil-example-users' }, { idempotent: true });
  let stop = false;
  void o.stopped.then(() => (stop = true));
  let published = 0;
  const summary = () =>
    `signups published ${published}/${o.signups} · notifications sent ${provider.deliveries().length} (sms ${provider.deliveries().filter((d) => d.channel === 'sms').length}, email ${provider.deliveries().filter((d) => d.channel === 'email').length}) · provider 503s ${provider.requests.filter((r) => r.status === 503).length}`;
  const ticker = setInterval(() => o.onSummary(summary()), 1_000);
  try {
    // Delivery needs the notifier's first assignment; publishing can start at once.
    const run = Date.now().toString(36);
    for (let i = 0; i < o.signups && !stop; i++) {
      if (o.failEvery > 0 && i > 0 && i % o.failEvery === 0) provider.failNext(2);
      const user = i % 2 === 0 ? { user_id: `user-${i}`, email: `user-${i}@example.com` } : { user_id: `user-${i}`, phone: `+1555${String(i).padStart(7, '0')}`, channel: 'sms' as const };
      await publishSignups(producer, serde, topics.signups, [signupEvent(user, Date.now(), `signup-${run}-${i}`)]);
      published++;
      await new Promise((r) => setTimeout(r, o.intervalMs));
    }
    const mine = () => provider.deliveries().filter((d) => d.idempotencyKey.includes(`signup-${run}-`)).length;
    while (!stop && mine() < published) await new Promise((r) => setTimeout(r, 200));
    o.onSummary(summary());
    return { published, delivered: mine() };
  } finally {
    clearInterval(ticker);
    await producer.close();
    serde.close();
    await notifier.close();
    await provider.close();
  }
}
