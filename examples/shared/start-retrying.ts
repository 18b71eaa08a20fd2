import type { KafkaStreams } from '../../src/streams/index.js';

/**
 * Starts a KafkaStreams instance, making a fresh one when start() fails with
 * a retriable broker error. On a just-started broker under load, creating
 * the changelog topics can outlast kafkajs' own leader-election retries
 * (NOT_LEADER_OR_FOLLOWER) and start() does not retry it; an instance
 * starts once, so the retry has to build a new one.
 */
export async function startRetrying(make: () => KafkaStreams, attempts = 3): Promise<KafkaStreams> {
  for (let attempt = 1; ; attempt++) {
    const streams = make();
    try {
      await streams.start();
      return streams;
    } catch (err) {
      await streams.close().catch(() => {});
      const retriable = (err as { cause?: { retriable?: boolean } }).cause?.retriable === true;
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}
