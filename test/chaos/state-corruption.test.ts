import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Child } from './harness.js';
import { writeResult } from './harness.js';
import { engineDone, prepareRun, replayRun, startEngine, type Run } from './pipeline.js';
import type { StoreDump } from './store-dump.js';

// About 8k transactions: the point is the restart, not the volume.
const FIXTURE = { seed: 51, users: 600, days: 5 };

let run: Run;

/** Task directories of the engine's state: `<stateDir>/<appId>/<task>`. */
function taskDirs(): string[] {
  const app = join(run.stateDir, run.appId);
  return readdirSync(app).map((t) => join(app, t)).filter((d) => statSync(d).isDirectory());
}

/** LevelDB directories (they hold a CURRENT file) under the task directories. */
function levelDbDirs(): string[] {
  return taskDirs().flatMap((t) => readdirSync(t).map((s) => join(t, s)).filter((d) => statSync(d).isDirectory() && readdirSync(d).includes('CURRENT')));
}

/** Restarts the engine on the damaged state, checks what it logged and restored, dumps its stores and stops it cleanly. */
async function restartOnDamagedState(): Promise<{ engine: Child; restored: Array<{ store: string; restored: number; from: string }>; logs: string[]; dump: StoreDump }> {
  const engine = startEngine(run);
  await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING');
  process.kill(engine.pid, 'SIGUSR2');
  await engine.waitForEvent((e) => e.dumped !== undefined || e.dumpFailed !== undefined, 60_000, 'the store dump');
  const dump = JSON.parse(readFileSync(join(run.stateDir, 'dump.json'), 'utf8')) as StoreDump;
  expect(await engine.kill('SIGTERM')).toBe(0);
  const restored = engine.events.filter((e) => typeof e.restored === 'number').map((e) => ({ store: e.store as string, restored: e.restored as number, from: e.from as string }));
  const logs = engine.events.filter((e) => e.level === 'warn' || e.level === 'info').map((e) => String(e.msg));
  return { engine, restored, logs, dump };
}

beforeAll(async () => {
  run = await prepareRun('store', FIXTURE);
  const engine = startEngine(run);
  await engine.waitForEvent((e) => e.state === 'RUNNING', 120_000, 'RUNNING');
  await replayRun(run);
  await engineDone(run);
  // A clean close writes the checkpoint: a plain restart would restore nothing.
  expect(await engine.kill('SIGTERM')).toBe(0);
}, 600_000);

describe('corrupt or missing LevelDB state at start-up', () => {
  const results: Record<string, unknown> = {};

  it('a plain restart after a clean close restores nothing from the changelog (the baseline)', async () => {
    const { restored, dump } = await restartOnDamagedState();
    results.cleanRestart = { restoredRecords: restored.reduce((s, r) => s + r.restored, 0) };
    expect(restored.every((r) => r.restored === 0)).toBe(true);
    expect(dump).toEqual(run.expected.stores);
  });

  it('LevelDB files overwritten with garbage: the task directory is wiped, rebuilt from the changelog, and the log says so', async () => {
    const dbs = levelDbDirs();
    expect(dbs.length).toBeGreaterThan(0);
    for (const db of dbs) {
      writeFileSync(join(db, 'CURRENT'), 'garbage\u0000\u0001');
      for (const f of readdirSync(db).filter((n) => n.startsWith('MANIFEST-'))) writeFileSync(join(db, f), Buffer.alloc(64, 0xff));
    }
    const { restored, logs, dump } = await restartOnDamagedState();
    results.corrupt = { levelDbsCorrupted: dbs.length, restoredRecords: restored.reduce((s, r) => s + r.restored, 0), logLine: logs.find((l) => l.includes('unusable')) };
    expect(logs).toContain('state directory unusable; wiping it and restoring from the changelog');
    expect(restored.filter((r) => r.restored > 0).length).toBeGreaterThan(0);
    expect(restored.every((r) => r.from === '0')).toBe(true);
    expect(dump).toEqual(run.expected.stores);
  });

  it('LevelDB store directories deleted (checkpoint kept): rebuilt from the changelog, and the log says so', async () => {
    const dbs = levelDbDirs();
    for (const db of dbs) rmSync(db, { recursive: true, force: true });
    const { restored, logs, dump } = await restartOnDamagedState();
    results.storeDirsMissing = { levelDbsDeleted: dbs.length, restoredRecords: restored.reduce((s, r) => s + r.restored, 0), logLine: logs.find((l) => l.includes('missing')) };
    expect(logs.some((l) => l.includes('missing'))).toBe(true);
    expect(restored.every((r) => r.from === '0')).toBe(true);
    expect(dump).toEqual(run.expected.stores);
  });

  it('the whole state directory deleted: rebuilt from the changelog, and the log says so', async () => {
    rmSync(join(run.stateDir, run.appId), { recursive: true, force: true });
    const { restored, logs, dump } = await restartOnDamagedState();
    results.stateDirMissing = { restoredRecords: restored.reduce((s, r) => s + r.restored, 0), logLine: logs.find((l) => l.includes('checkpoint')) };
    writeResult('state-corruption', { transactions: run.manifest.counts.transactions, ...results });
    expect(logs.some((l) => l.includes('no checkpoint'))).toBe(true);
    expect(restored.every((r) => r.from === '0')).toBe(true);
    expect(dump).toEqual(run.expected.stores);
  });
});
