import { describe, expect, it } from 'vitest';
import { admin, producer, readRecords, uniqueName } from './helpers.js';

describe('Kafka transactions on the real broker', () => {
  it('shows committed transactional records to read_committed consumers and hides aborted ones', async () => {
    const topic = uniqueName('tx');
    await (await admin()).createTopics([{ topic, partitions: 1 }]);
    const p = await producer({ transactionalId: uniqueName('tx-producer') });

    const committed = await p.transaction();
    await committed.send([{ topic, key: 'k', value: 'committed-1' }, { topic, key: 'k', value: 'committed-2' }]);
    await committed.commit();

    const aborted = await p.transaction();
    await aborted.send([{ topic, key: 'k', value: 'aborted' }]);
    await aborted.abort();

    const marker = await p.transaction();
    await marker.send([{ topic, key: 'k', value: 'committed-3' }]);
    await marker.commit();

    const readCommitted = await readRecords([topic], 3, { isolation: 'read_committed' });
    expect(readCommitted.map((r) => r.value!.toString())).toEqual(['committed-1', 'committed-2', 'committed-3']);

    // A read_uncommitted consumer does see the aborted record: the broker did store it.
    const readUncommitted = await readRecords([topic], 4, { isolation: 'read_uncommitted' });
    expect(readUncommitted.map((r) => r.value!.toString())).toEqual(['committed-1', 'committed-2', 'aborted', 'committed-3']);
  });
});
