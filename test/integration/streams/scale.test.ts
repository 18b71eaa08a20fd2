import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { uniqueName } from '../helpers.js';
import { byKey, createTopics, driverOutput, produce, readToEnd, startStreams, tempStateDir, totalCount, waitUntil } from './helpers.js';
import type { KeyValueRecord } from './helpers.js';
import { countOnly } from './topologies.js';

/** Recent timestamps: the broker's time-based retention would delete records stamped in 1970. */
const NOW = Date.now() - 60 * 60 * 1000;

const clicks = (from: number, n: number): KeyValueRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${((from + i) * 17) % 300}`, value: `v${from + i}`, timestamp: NOW + from + i }));

describe('scaling out and in on the broker (exactly_once)', () => {
  it('two instances share the partitions; when one stops its tasks and their state move to the other and the output stays exact', async () => {
    const topics = { clicks: uniqueName('scale-clicks'), counts: uniqueName('scale-counts') };
    await createTopics(4, topics.clicks, topics.counts);
    const applicationId = uniqueName('scale');
    const config = { applicationId, processingGuarantee: 'exactly_once' as const, cachingEnabled: false };

    const a = await startStreams(countOnly(topics), { ...config, instanceId: 'a', stateDir: tempStateDir() });
    await a.waitForState('RUNNING');
    await produce(topics.clicks, clicks(0, 4_000));
    await waitUntil(async () => (await totalCount(a)) === 4_000, 60_000, 'instance a to count the first 4000 clicks');
    expect(a.localTaskIds()).toEqual(['0_0', '0_1', '0_2', '0_3']);

    const b = await startStreams(countOnly(topics), { ...config, instanceId: 'b', stateDir: tempStateDir() });
    await waitUntil(() => a.localTaskIds().length === 2 && b.localTaskIds().length === 2 && a.state === 'RUNNING' && b.state === 'RUNNING', 60_000, 'the two instances to share the tasks');
    expect([...a.localTaskIds(), ...b.localTaskIds()].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    await produce(topics.clicks, clicks(4_000, 4_000));
    // Each instance holds only its tasks' counts; together they cover every click once.
    await waitUntil(async () => (await totalCount(a)) + (await totalCount(b)) === 8_000, 60_000, 'both instances to count 8000 clicks').catch(async (e: Error) => {
      throw new Error(`${e.message}: a ${a.state} ${a.localTaskIds().join(',')} counted ${await totalCount(a)}, b ${b.state} ${b.localTaskIds().join(',')} counted ${await totalCount(b)}`);
    });
    expect(await totalCount(b)).toBeGreaterThan(0);

    await b.close();
    await waitUntil(() => a.localTaskIds().length === 4 && a.state === 'RUNNING', 60_000, 'instance a to take back every task');
    // b's state came back through the changelog: a's total covers everything before new input arrives.
    await waitUntil(async () => (await totalCount(a)) === 8_000, 60_000, 'instance a to restore b’s counts');
    await produce(topics.clicks, clicks(8_000, 2_000));
    await waitUntil(async () => (await totalCount(a)) === 10_000, 60_000, 'instance a to count all 10000 clicks');
    await a.close();

    const expected = byKey((await driverOutput(countOnly(topics), [{ topic: topics.clicks, records: clicks(0, 10_000) }], [topics.counts], { defaultStoreType: 'memory' })).get(topics.counts) ?? [], Serdes.Long());
    const output = await readToEnd(topics.counts, 'read_committed');
    expect(output).toHaveLength(10_000);
    expect(byKey(output, Serdes.Long())).toEqual(expected);
  });
});
