import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuShares, guardVerdict, noisyAtEnd, parseProcStat, provenance, type MachineLoad } from '../../../bench/latency/guard.js';

const load = (one: number): MachineLoad => ({ loadAverage: [one, 1, 1], stealPercent: 0, busyPercent: 10, sampleMs: 1000, at: '2026-12-05T00:00:00.000Z' });

describe('guard', () => {
  it('starts a quiet run and marks it not noisy', () => {
    expect(guardVerdict(load(0.4), false)).toEqual({ start: true, noisy: false });
  });

  it('refuses a run above a 1-minute load of 1.5 without --allow-noisy', () => {
    const v = guardVerdict(load(3.2), false);
    expect(v.start).toBe(false);
    expect(v.reason).toContain('3.2');
  });

  it('starts a noisy run when allowed, and marks it noisy', () => {
    expect(guardVerdict(load(3.2), true)).toMatchObject({ start: true, noisy: true });
  });

  it('judges the end of a run by what else keeps the CPUs busy once its systems stopped, not by the load average its own last phase left', () => {
    expect(noisyAtEnd({ ...load(2.6), busyPercent: 0 })).toBe(false);
    expect(noisyAtEnd({ ...load(1.2), busyPercent: 80 })).toBe(true);
    expect(noisyAtEnd({ ...load(0.5), busyPercent: 5, stealPercent: 12 })).toBe(true);
  });

  it('reads steal and busy shares from two /proc/stat readings', () => {
    const a = parseProcStat('cpu  100 0 100 700 0 0 0 100 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n');
    const b = parseProcStat('cpu  200 0 100 750 50 0 0 200 0 0\n');
    expect(a).toEqual({ total: 1000, idle: 700, steal: 100 });
    expect(cpuShares(a!, b!)).toEqual({ busyPercent: 66.7, stealPercent: 33.3 });
    expect(parseProcStat('nothing')).toBeNull();
  });

  it('records the commit and flags a dirty tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-git-'));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(dir, 'f'), '1');
    git('add', 'f');
    git('commit', '-qm', 'one');
    const clean = provenance(dir);
    expect(clean.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(clean.dirty).toBe(false);
    writeFileSync(join(dir, 'f'), '2');
    expect(provenance(dir)).toMatchObject({ commit: clean.commit, dirty: true });
  });
});
