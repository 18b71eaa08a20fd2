import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/latency/args.js';

describe('latency harness arguments', () => {
  it('quick mode: the three systems, one round, 20k warm-up and a 30k backlog, no restore', () => {
    const a = parseArgs(['--quick']);
    expect(a.systems).toEqual(['ceiling', 'vigil-eos', 'kstreams-eos']);
    expect(a).toMatchObject({ quick: true, rounds: 1, warmup: 20_000, backlog: 30_000, stepSeconds: 4, restore: false, rates: null, commitIntervalMs: 100, lingerMs: 0, dedupe: true });
  });

  it('full mode: all seven systems, three rounds, a 100k backlog, restore measured', () => {
    const a = parseArgs([]);
    expect(a.systems).toHaveLength(7);
    expect(a).toMatchObject({ quick: false, rounds: 3, warmup: 20_000, backlog: 100_000, stepSeconds: 10, restore: true, resolution: 1.1 });
  });

  it('keeps issue 8 flag names and takes the new ones', () => {
    const a = parseArgs(['--quick', '--backlog', '40000', '--commit-interval', '20', '--compare', 'main', '--allow-noisy', '--rates', '50,200', '--restore', '--no-dedupe', '--linger-ms', '5', '--webhook']);
    expect(a).toMatchObject({ backlog: 40_000, commitIntervalMs: 20, compare: 'main', allowNoisy: true, rates: [50, 200], restore: true, dedupe: false, lingerMs: 5, webhook: true });
    expect(parseArgs(['--quick']).webhook).toBe(false);
  });

  it('takes the multi-region topology, which names its results apart', () => {
    expect(parseArgs(['--quick'])).toMatchObject({ topology: 'single', name: 'latency-quick' });
    expect(parseArgs(['--quick', '--topology', 'multi-region'])).toMatchObject({ topology: 'multi-region', name: 'latency-quick-multi-region' });
    expect(parseArgs(['--topology', 'multi-region'])).toMatchObject({ name: 'latency-multi-region' });
    expect(() => parseArgs(['--topology', 'mars'])).toThrow(/--topology takes single or multi-region, not "mars"/);
  });

  it('rejects an unknown system and a bad number with the usage', () => {
    expect(() => parseArgs(['--systems', 'vigil-xyz'])).toThrow(/unknown system vigil-xyz.*\n.*usage/s);
    expect(() => parseArgs(['--backlog', 'lots'])).toThrow(/--backlog takes a non-negative number/);
  });
});
