import { describe, expect, it } from 'vitest';
import { createProgressBar, formatCount, formatDuration } from '../../src/ui/progress-bar.js';

function fakeOutput(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, output: { isTTY, columns: 200, write: (s: string) => writes.push(s) } };
}

describe('progress bar', () => {
  it('redraws a single line in place on a TTY, throttled', () => {
    const { writes, output } = fakeOutput(true);
    let t = 0;
    const bar = createProgressBar({ label: 'sim', total: 100, unit: 'tx', output, now: () => t, redrawMs: 100 });
    t = 1_000;
    bar.update(10);
    bar.update(11); // within 100 ms: not drawn
    t = 2_000;
    bar.update(50);
    expect(writes).toHaveLength(2);
    expect(writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && !w.includes('\n'))).toBe(true);
    expect(writes[1]).toContain(' 50.0%');
    expect(writes[1]).toContain('25 tx/s');
  });

  it('prints plain occasional lines when not a TTY', () => {
    const { writes, output } = fakeOutput(false);
    let t = 0;
    const bar = createProgressBar({ label: 'replay', total: 1_000, output, now: () => t, logEveryMs: 5_000 });
    for (let i = 1; i <= 1_000; i++) {
      t = i * 10; // 10 s in all
      bar.tick();
    }
    expect(writes).toHaveLength(2); // drawn at 10 ms, then once 5 s later
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('█'))).toBe(true);
  });

  it('finishes with a summary of count, time and rate, and ends the TTY line', () => {
    const { writes, output } = fakeOutput(true);
    let t = 0;
    const bar = createProgressBar({ label: 'x', output, now: () => t });
    bar.update(500, 'day 2');
    t = 2_000;
    const summary = bar.finish();
    expect(summary).toEqual({ done: 500, elapsedMs: 2_000, rate: 250 });
    expect(writes.at(-1)).toBe('\n');
    expect(writes.at(-2)).toContain('day 2');
    bar.update(900);
    expect(writes.at(-1)).toBe('\n'); // nothing drawn after finish
  });

  it('shows 100% when an estimated total is replaced by the real count', () => {
    const { writes, output } = fakeOutput(false);
    const bar = createProgressBar({ label: 'sim', total: 1_000, output, now: () => 0 });
    bar.update(940);
    bar.setTotal(940);
    bar.finish();
    expect(writes.at(-1)).toContain('100.0%  940/940');
  });

  it('formats counts and durations compactly', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(4_560_000)).toBe('4.56M');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
