import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { UsageError } from '../../../src/commands/command.js';
import { parseSimulateArgs, simulateCommand } from '../../../src/commands/simulate.js';
import { readLabelledTransactions, readManifest } from '../../../src/fraud/simulator/index.js';
import { createLogger } from '../../../src/log.js';

describe('vigil simulate flags', () => {
  it('has reproducible defaults and a default output under .vigil/fixtures', () => {
    expect(parseSimulateArgs([])).toEqual({
      sim: { seed: 42, users: 500, days: 7, startMs: Date.UTC(2026, 0, 5) },
      out: '.vigil/fixtures/seed42-u500-d7',
      quiet: false,
      help: false,
    });
  });

  it('reads every flag', () => {
    const parsed = parseSimulateArgs(['--seed', '7', '--users', '20', '--days', '2', '--start', '2026-03-01', '--fraud-rate', '0.5', '--scenarios', 'bust_out,card_testing', '--out', '/tmp/x', '-q']);
    expect(parsed).toEqual({
      sim: { seed: 7, users: 20, days: 2, startMs: Date.UTC(2026, 2, 1), fraudRate: 0.5, scenarios: ['bust_out', 'card_testing'] },
      out: '/tmp/x',
      quiet: true,
      help: false,
    });
  });

  it.each([
    [['--users', 'many'], '--users must be a whole number, got "many"'],
    [['--users', '0'], '--users must be between 1 and 10000000, got 0'],
    [['--days', '2.5'], '--days must be a whole number'],
    [['--seed=-1'], '--seed must be between 0'],
    [['--start', 'yesterday'], '--start must be a date like 2026-01-05'],
    [['--fraud-rate', '5%'], '--fraud-rate must be a share of users between 0 and 1'],
    [['--scenarios', 'card_testing,phishing'], 'unknown scenario(s) phishing'],
    [['--shift', 'mars'], 'unknown shift "mars"; choose from train, classic'],
    [['somewhere'], 'unexpected argument "somewhere"'],
  ])('rejects %j with a readable usage error', (args, message) => {
    expect(() => parseSimulateArgs(args)).toThrow(UsageError);
    expect(() => parseSimulateArgs(args)).toThrow(message);
  });

  it('takes a named shifted world: its knobs, scenarios and fraud rate, with --scenarios and --fraud-rate still winning', () => {
    const { sim } = parseSimulateArgs(['--shift', 'processor']);
    expect(sim.shift).toMatchObject({ onlineLegacyPosition: 'merchant', payerLocationShare: 0.3 });
    expect(sim.scenarios).toContain('slow_burn');
    expect(sim.fraudRate).toBe(0.04);
    const narrowed = parseSimulateArgs(['--shift', 'messy', '--scenarios', 'cash_out', '--fraud-rate', '0.1']).sim;
    expect(narrowed.scenarios).toEqual(['cash_out']);
    expect(narrowed.fraudRate).toBe(0.1);
  });

  it('leaves unknown flags to parseArgs, which the CLI reports as usage errors', () => {
    expect(() => parseSimulateArgs(['--userz', '3'])).toThrow(expect.objectContaining({ code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }));
  });
});

describe('vigil simulate', () => {
  it('records the shift of a shifted world in the manifest, and writes the processor-style positions', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vigil-sim-shift-'));
    onTestFinished(() => rm(out, { recursive: true, force: true }));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    onTestFinished(() => stdout.mockRestore());
    expect(await simulateCommand(createLogger('test', 'silent')).run(['--users', '40', '--days', '2', '--shift', 'processor', '--out', out, '--quiet'])).toBe(0);
    const manifest = await readManifest(out);
    expect(manifest.shift).toMatchObject({ onlineLegacyPosition: 'merchant', payerLocationShare: 0.3 });
    expect(manifest.scenarios).toContain('small_familiar');
    const online = [];
    for await (const x of readLabelledTransactions(out)) if (x.transaction.channel === 'CHANNEL_ONLINE') online.push(x.transaction);
    expect(online.length).toBeGreaterThan(5);
    expect(online.every((t) => t.latitude === t.merchant_location?.latitude)).toBe(true);
  });

  it('writes a complete fixture and prints a one-line summary', async () => {
    const out = await mkdtemp(join(tmpdir(), 'vigil-sim-cmd-'));
    onTestFinished(() => rm(out, { recursive: true, force: true }));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    onTestFinished(() => stdout.mockRestore());
    const code = await simulateCommand(createLogger('test', 'silent')).run(['--users', '30', '--days', '1', '--seed', '5', '--out', out, '--quiet']);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['manifest.json', 'profiles.ndjson', 'transactions.ndjson', 'transactions.pb']);
    const manifest = await readManifest(out);
    expect(manifest).toMatchObject({ seed: 5, users: 30, days: 1 });
    const printed = stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toContain(`wrote ${out}: 30 profiles, ${manifest.counts.transactions} transactions`);
  });
});
