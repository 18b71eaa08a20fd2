import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { runNotificationsDemo } from '../../examples/notifications/run.js';
import { runOrderSagaDemo } from '../../examples/order-saga/run.js';

// What `vigil example <name>` runs once the cluster is up, on the test cluster.
function common() {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-example-'));
  onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));
  const lines: string[] = [];
  return { brokers: inject('kafkaBrokers').split(','), registryUrl: inject('schemaRegistryUrl'), stateDir, intervalMs: 20, onSummary: (l: string) => lines.push(l), stopped: new Promise(() => {}), lines };
}

describe('vigil example, as the command runs it', () => {
  it('notifications: every signup of the run is notified, with a summary line', async () => {
    const c = common();
    await expect(runNotificationsDemo({ ...c, signups: 12, failEvery: 5 })).resolves.toEqual({ published: 12, delivered: 12 });
    expect(c.lines.at(-1)).toMatch(/^signups published 12\/12 · notifications sent \d+ \(sms \d+, email \d+\) · provider 503s [1-9]/);
  });

  it('order-saga: every order finishes, declined ones cancelled, completed ones shipped', async () => {
    const c = common();
    // Orders 4 and 9 use the declined card; the lamp (orders 2, 5, 8) has exactly enough stock.
    await expect(runOrderSagaDemo({ ...c, orders: 10 })).resolves.toEqual({ placed: 10, completed: 8, cancelled: 2, shipped: 8 });
    expect(c.lines.at(-1)).toBe('orders placed 10/10 · in flight 0 · completed 8 · cancelled 2 · shipped 8 · warehouse 503s 3');
  });
});
