import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { seededRandom } from '../../../src/webhook/scheduler.js';
import { uniqueName } from '../helpers.js';
import { byKey, createTopics, driverOutput, groupProgress, produce, readToEnd, spawnCountApp, tempStateDir, waitUntil } from './helpers.js';
import { countOnly } from './topologies.js';

/** Recent timestamps: the broker's time-based retention would delete records stamped in 1970. */
const NOW = Date.now() - 60 * 60 * 1000;

const RECORDS = Number(process.env.VIGIL_CRASH_RECORDS ?? 100_000);
const KEYS = 1_000;
const KILLS = 5;


describe('exactly-once crash recovery on the broker', () => {
  it(`kill -9 at ${KILLS} random points over ${RECORDS} records: the committed output equals the driver's, nothing lost or duplicated`, { timeout: 600_000 }, async () => {
    const seed = Number(process.env.VIGIL_CRASH_SEED ?? Date.now() % 100_000);
    const random = seededRandom(seed); // kill points reproducible from the seed printed on failure
    const topics = { clicks: uniqueName('crash-clicks'), counts: uniqueName('crash-counts') };
    await createTopics(4, topics.clicks, topics.counts);
    const clicks = Array.from({ length: RECORDS }, (_, i) => ({ key: `k${(i * 7_919) % KEYS}`, value: `v${i}`, timestamp: NOW + i }));
    await produce(topics.clicks, clicks);
    const appId = uniqueName('crash');
    const env = { APP_ID: appId, INSTANCE_ID: 'crash-1', CLICKS: topics.clicks, COUNTS: topics.counts, STATE_DIR: tempStateDir(), GUARANTEE: 'exactly_once' };

    const committedAtKill: bigint[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const app = spawnCountApp(env);
      await app.waitForEvent((e) => e.state === 'RUNNING', 90_000);
      await new Promise((r) => setTimeout(r, 500 + random() * 2_500));
      await app.kill('SIGKILL');
      committedAtKill.push((await groupProgress(appId, topics.clicks)).committed);
    }
    const last = spawnCountApp(env);
    await last.waitForEvent((e) => e.state === 'RUNNING', 90_000);
    await waitUntil(async () => {
      const p = await groupProgress(appId, topics.clicks);
      return p.committed === p.end;
    }, 300_000, 'the last instance to commit every input offset');
    expect(await last.kill('SIGTERM')).toBe(0);

    const context = `seed ${seed}, committed input offsets at each kill: ${committedAtKill.join(', ')}`;
    // The kills landed while input was still unprocessed, so they really interrupted the work
    // (on a fast machine the last ones may come after the end; the first must not).
    expect(committedAtKill[0] ?? BigInt(RECORDS), context).toBeLessThan(BigInt(RECORDS));
    const expected = byKey((await driverOutput(countOnly(topics), [{ topic: topics.clicks, records: clicks }], [topics.counts], { defaultStoreType: 'memory' })).get(topics.counts) ?? [], Serdes.Long());
    const output = await readToEnd(topics.counts, 'read_committed');
    const actual = byKey(output, Serdes.Long());
    expect(output.length, context).toBe(RECORDS);
    expect(actual, context).toEqual(expected);
  });
});
