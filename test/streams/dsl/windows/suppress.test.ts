import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Consumed } from '../../../../src/streams/dsl/consumed.js';
import { Materialized } from '../../../../src/streams/dsl/materialized.js';
import { StreamsBuilder } from '../../../../src/streams/dsl/streams-builder.js';
import { isVigilError } from '../../../../src/streams/errors.js';
import { BufferConfig, Suppressed } from '../../../../src/streams/dsl/windows/index.js';
import { SessionWindows } from '../../../../src/streams/dsl/windows/session-windows.js';
import { TimeWindows } from '../../../../src/streams/dsl/windows/time-windows.js';
import { N, S, windowedTopology } from './support/windowed-topology.js';

const untilWindowCloses = Suppressed.untilWindowCloses(BufferConfig.unbounded());

describe('suppress(untilWindowCloses) (through the TopologyTestDriver)', () => {
  it('emits exactly one final count per window, once stream time passes window end + grace', async () => {
    const t = windowedTopology(TimeWindows.ofSizeAndGrace(10, 5), (w) => w.count(), {
      after: (table) => table.suppress(untilWindowCloses),
    });
    await t.pipe('A', 0, 1);
    await t.pipe('A', 0, 3);
    await t.pipe('B', 0, 4);
    await t.pipe('A', 0, 12);
    await t.pipe('A', 0, 8); // inside grace: changes the final count
    await t.pipe('A', 0, 14);
    expect(t.rows()).toEqual([]);
    await t.pipe('B', 0, 15); // 10 + 5
    expect(t.rows()).toEqual([
      ['A', 0, 10, 3, 8],
      ['B', 0, 10, 1, 4],
    ]);
    await t.pipe('A', 0, 24);
    expect(t.rows()).toEqual([]);
    await t.pipe('A', 0, 40);
    expect(t.rows()).toEqual([
      ['A', 10, 20, 2, 14],
      ['B', 10, 20, 1, 15],
      ['A', 20, 30, 1, 24],
    ]);
  });

  it('emits one final result per overlapping hopping window', async () => {
    const t = windowedTopology(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5), (w) => w.count(), {
      after: (table) => table.suppress(untilWindowCloses),
    });
    await t.pipe('A', 0, 7);
    await t.pipe('A', 0, 12);
    await t.pipe('A', 0, 30);
    expect(t.rows()).toEqual([
      ['A', 0, 10, 1, 7],
      ['A', 5, 15, 2, 12],
      ['A', 10, 20, 1, 12],
    ]);
  });

  it('emits only the merged session, never the sessions it absorbed', async () => {
    const t = windowedTopology(
      SessionWindows.ofInactivityGapAndGrace(5, 10),
      (w) => w.aggregate(() => 0, (_k, v, sum) => sum + v, (_k, a, b) => a + b, Materialized.with(S, N)),
      { after: (table) => table.suppress(untilWindowCloses) },
    );
    await t.pipe('A', 1, 0);
    await t.pipe('A', 10, 10);
    await t.pipe('A', 100, 5);
    await t.pipe('B', 1, 25); // [0,10] ends inclusively: a record at 15 could still join it
    expect(t.rows()).toEqual([]);
    await t.pipe('B', 1, 26);
    expect(t.rows()).toEqual([['A', 0, 10, 111, 10]]);
  });

  it('does not emit a session at end + gap + grace, when a record can still extend it', async () => {
    const t = windowedTopology(SessionWindows.ofInactivityGapAndGrace(5, 10), (w) => w.count(), {
      after: (table) => table.suppress(untilWindowCloses),
    });
    await t.pipe('A', 0, 0);
    await t.pipe('A', 0, 10);
    await t.pipe('B', 0, 25); // 10 + 5 + 10
    await t.pipe('A', 0, 15); // still accepted: the session grows to [10,15]
    await t.pipe('B', 0, 31);
    expect(t.rows()).toEqual([
      ['A', 0, 0, 1, 0],
      ['A', 10, 15, 2, 15],
    ]);
    expect(t.metrics.lateDrops).toEqual([]);
  });

  it('still emits the final result of a window buffered before a restart (buffer kept in a store)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-suppress-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
    const start = () =>
      windowedTopology(TimeWindows.ofSizeAndGrace(10, 5), (w) => w.count(), {
        after: (table) => table.suppress(untilWindowCloses),
        config: { defaultStoreType: 'leveldb' },
        driver: { stateDir, keepStateDir: true },
      });
    const before = start();
    await before.pipe('A', 0, 1);
    await before.pipe('A', 0, 3);
    await before.driver.close();
    expect(before.rows()).toEqual([]);

    const after = start();
    await after.pipe('B', 0, 15);
    expect(after.rows()).toEqual([['A', 0, 10, 2, 3]]);
  });

  it('rejects a table that is not a windowed aggregation', () => {
    const builder = new StreamsBuilder();
    const table = builder.stream('in', Consumed.with(S, N)).groupByKey().count();
    try {
      table.suppress(untilWindowCloses);
      expect.unreachable('suppress should have thrown');
    } catch (err) {
      expect(isVigilError(err, 'VIGIL_ERR_TOPOLOGY')).toBe(true);
    }
  });
});
