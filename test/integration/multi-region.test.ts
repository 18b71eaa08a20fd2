import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up, type UpResult } from '../../src/cluster/cluster.js';
import { createLogger } from '../../src/log.js';
import { connection, producer, readRecords } from './helpers.js';

const log = createLogger('test-multi-region', process.env.LOG_LEVEL ?? 'warn');

// The multi-region topology has its own ports, so it runs beside the
// single cluster of the global setup.
describe('multi-region topology: MirrorMaker 2 mirrors regional transactions into central', () => {
  let cluster: UpResult;

  beforeAll(async () => {
    cluster = await up({ topology: 'multi-region', log, ownerPid: process.pid, fresh: true });
  });

  afterAll(async () => {
    if (cluster?.started) await down({ topology: 'multi-region', log });
  });

  it('delivers a record produced in us-east to central as us-east.transactions, with key, value and headers', async () => {
    const east = await producer({}, connection(cluster.brokers['us-east']));
    await east.send([{ topic: 'transactions', key: 'card-7', value: 'tx-east-1', headers: { region: 'us-east' } }]);
    const west = await producer({}, connection(cluster.brokers['us-west']));
    await west.send([{ topic: 'transactions', key: 'card-8', value: 'tx-west-1', headers: { region: 'us-west' } }]);

    const central = connection(cluster.primary);
    const [fromEast] = await readRecords(['us-east.transactions'], 1, { conn: central, timeoutMs: 60_000 });
    expect(fromEast?.key?.toString()).toBe('card-7');
    expect(fromEast?.value?.toString()).toBe('tx-east-1');
    expect(fromEast?.headers.region?.toString()).toBe('us-east');

    const both = await readRecords([/^us-(east|west)\.transactions$/], 2, { conn: central, timeoutMs: 60_000 });
    expect(both.map((r) => `${r.topic}:${r.value?.toString()}`).sort()).toEqual([
      'us-east.transactions:tx-east-1',
      'us-west.transactions:tx-west-1',
    ]);
  });
});
