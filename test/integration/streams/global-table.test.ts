import { describe, expect, it } from 'vitest';
import { Consumed, Produced, Serdes, StreamsBuilder } from '../../../src/streams/index.js';
import { uniqueName } from '../helpers.js';
import { byKey, createTopics, produce, readToEnd, startStreams, tempStateDir, waitUntil } from './helpers.js';

/** Payments keyed by card, enriched with their owner's country from a GlobalKTable keyed by user. */
function enrichmentTopology(payments: string, users: string, output: string) {
  const builder = new StreamsBuilder();
  const owners = builder.globalTable<string, string>(users, Consumed.with(Serdes.String(), Serdes.String()));
  builder
    .stream<string, string>(payments, Consumed.with(Serdes.String(), Serdes.String()))
    .leftJoin(
      owners,
      (_card, value) => value.split('|')[0] as string,
      (value, country) => `${value.split('|')[1]}@${country ?? 'unknown'}`,
    )
    .to(output, Produced.with(Serdes.String(), Serdes.String()));
  return builder.build();
}

describe('GlobalKTable on the real broker', () => {
  it('fills the global store from every partition before processing, then follows updates', async () => {
    const [payments, users, output] = [uniqueName('payments'), uniqueName('users'), uniqueName('enriched')];
    await createTopics(3, payments, output);
    // Users live on 2 partitions, payments on 3: a global table needs no co-partitioning.
    await createTopics(2, users);
    await produce(users, [
      { key: 'u1', value: 'FR' },
      { key: 'u2', value: 'US' },
      { key: 'u3', value: 'JP' },
    ]);
    // Written before the application starts: the join must already see every user.
    await produce(payments, [
      { key: 'card-a', value: 'u1|10' },
      { key: 'card-b', value: 'u2|20' },
      { key: 'card-c', value: 'u3|30' },
      { key: 'card-d', value: 'u9|40' },
    ]);

    const streams = await startStreams(enrichmentTopology(payments, users, output), {
      applicationId: uniqueName('global-app'),
      stateDir: tempStateDir(),
      processingGuarantee: 'exactly_once',
    });
    await streams.waitForState('RUNNING');
    await waitUntil(async () => (await readToEnd(output)).length >= 4, 60_000, 'the first four enriched payments');

    // An update to the global topic reaches later joins.
    await produce(users, [{ key: 'u9', value: 'BR' }]);
    await waitUntil(async () => {
      await produce(payments, [{ key: 'card-d', value: 'u9|50' }]);
      const latest = byKey(await readToEnd(output), Serdes.String()).get('card-d') ?? [];
      return latest.includes('50@BR');
    }, 60_000, 'a payment joined with the updated user');

    const out = byKey(await readToEnd(output), Serdes.String());
    expect(out.get('card-a')).toEqual(['10@FR']);
    expect(out.get('card-b')).toEqual(['20@US']);
    expect(out.get('card-c')).toEqual(['30@JP']);
    expect(out.get('card-d')?.[0]).toBe('40@unknown');
    expect(out.get('card-d')).toContain('50@BR');
  });
});
