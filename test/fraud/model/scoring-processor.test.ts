import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver } from '../../../src/streams/index.js';
import { microBatchOptions } from '../../../src/fraud/model/micro-batch.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { MIN, T0, tx } from '../features/builders.js';
import { ruleScorer, serdes } from '../topology/harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function driverOn(stateDir: string, scorer: ReturnType<typeof ruleScorer>): TopologyTestDriver {
  const topology = buildFraudTopology({ serdes, storeType: 'leveldb', scoring: { scorer, batch: { maxBatchSize: 100, maxDelayMs: 1_000 } } });
  return new TopologyTestDriver(topology, fraudStreamsConfig({ applicationId: 'fraud-restart' }), {
    stateDir,
    keepStateDir: true,
    initialWallClockTimeMs: T0 + 24 * 3_600_000,
  });
}

describe('ScoringProcessor', () => {
  it('scores records left waiting in its buffer by a previous instance (at-least-once across a restart)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-scoring-'));
    dirs.push(stateDir);
    const first = ruleScorer();
    const before = driverOn(stateDir, first);
    const input = before.createInputTopic('transactions', Serdes.String(), serdes.transaction);
    for (let i = 0; i < 6; i++) await input.pipeInput('c-1', tx({ event_time_ms: T0 + i * MIN, merchant_id: `m-${i}` }), T0 + i * MIN);
    // The batch never filled and the deadline never passed: nothing scored yet.
    expect(first.batches).toEqual([]);
    await before.close();

    const second = ruleScorer();
    const after = driverOn(stateDir, second);
    await after.ready();
    await after.advanceWallClockTime(1_000);
    const alerts = after.createOutputTopic('alerts', Serdes.String(), serdes.alert).readValuesToList() as Alert[];
    // One model call for the six restored records (later calls explain the two alerts).
    expect(second.batches[0]).toBe(6);
    expect(alerts.map((a) => a.source?.offset)).toEqual([4, 5]);
    await after.close();
  });

  it('validates its batch options', () => {
    expect(microBatchOptions({})).toEqual({ maxBatchSize: 64, maxDelayMs: 20 });
    expect(() => microBatchOptions({ maxBatchSize: 0 })).toThrow(/maxBatchSize/);
    expect(() => microBatchOptions({ maxDelayMs: 1.5 })).toThrow(/maxDelayMs/);
  });
});
