import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { uniqueName } from '../helpers.js';
import { byKey, createTopics, driverOutput, produce, readToEnd, startStreams, tempStateDir, totalCount, waitUntil } from './helpers.js';
import type { KeyValueRecord } from './helpers.js';
import { USERS_STORE, countAndJoin } from './topologies.js';

/** Recent timestamps: the broker's time-based retention would delete records stamped in 1970. */
const NOW = Date.now() - 60 * 60 * 1000;

const USERS = 20;
const CLICKS = 2_000;

function input(): { users: KeyValueRecord[]; clicks: KeyValueRecord[] } {
  const users = Array.from({ length: USERS }, (_, i) => ({ key: `u${i}`, value: `name-${i}`, timestamp: NOW + i }));
  // u20..u24 have no user row: the inner join drops them, the count does not.
  const clicks = Array.from({ length: CLICKS }, (_, i) => ({ key: `u${(i * 7) % 25}`, value: `page-${i}`, timestamp: NOW + 100 + i }));
  return { users, clicks };
}

describe.each(['at_least_once', 'exactly_once'] as const)('KafkaStreams on the broker (%s)', (guarantee) => {
  it('produces exactly the TopologyTestDriver output for a count and a stream-table join', async () => {
    const topics = { users: uniqueName('users'), clicks: uniqueName('clicks'), counts: uniqueName('counts'), joined: uniqueName('joined') };
    await createTopics(4, topics.users, topics.clicks, topics.counts, topics.joined);
    const { users, clicks } = input();
    const topology = countAndJoin(topics);

    await produce(topics.users, users);
    const seen = { processed: 0, commits: 0, lag: new Map<string, number>(), restores: 0 };
    const streams = await startStreams(topology, {
      applicationId: uniqueName('equiv'),
      processingGuarantee: guarantee,
      cachingEnabled: false,
      stateDir: tempStateDir(),
      metrics: {
        lateRecordDropped: () => {},
        recordSkipped: () => {},
        recordProcessed: () => void seen.processed++,
        commitLatency: () => void seen.commits++,
        consumerLag: (topic, partition, lag) => void seen.lag.set(`${topic}:${partition}`, lag),
        restoreProgress: () => void seen.restores++,
      },
    });
    await streams.waitForState('RUNNING');
    // The table must be loaded before the clicks arrive, as in the driver run (Kafka orders only within a partition).
    const table = streams.keyValueStore<string, string>(USERS_STORE);
    await waitUntil(async () => (await table.approximateNumEntries()) === USERS, 30_000, 'the users table to load');
    await produce(topics.clicks, clicks);
    await waitUntil(async () => (await totalCount(streams)) === CLICKS, 60_000, 'every click to be counted');
    await streams.close();
    // The metrics hooks saw every record once, at least one commit, a drained lag on every input partition and the start and end of each restoration.
    expect(seen.processed).toBe(USERS + CLICKS);
    expect(seen.commits).toBeGreaterThan(0);
    expect([...seen.lag].filter(([tp]) => tp.startsWith(topics.clicks)).map(([, lag]) => lag)).toEqual([0, 0, 0, 0]);
    expect(seen.restores).toBe(2 * 4 * 2); // start and end, for 2 stores in 4 tasks

    const expected = await driverOutput(topology, [{ topic: topics.users, records: users }, { topic: topics.clicks, records: clicks }], [topics.counts, topics.joined]);
    const L = Serdes.Long();
    const S = Serdes.String();
    const actualCounts = byKey(await readToEnd(topics.counts), L);
    const actualJoined = byKey(await readToEnd(topics.joined), S);
    expect(actualCounts).toEqual(byKey(expected.get(topics.counts) ?? [], L));
    expect(actualJoined).toEqual(byKey(expected.get(topics.joined) ?? [], S));
    // Spot-check the expectation itself: 80 clicks per user, u20..u24 never joined.
    expect(actualCounts.get('u3')).toEqual(Array.from({ length: CLICKS / 25 }, (_, i) => i + 1));
    expect(actualJoined.has('u21')).toBe(false);
    expect([...actualJoined.values()].flat()).toHaveLength((CLICKS / 25) * USERS);
  });
});
