import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_SCENARIOS, SHIFT_PRESETS, simulate, writeFixture, type FraudScenario, type SimulateOptions } from '../fraud/simulator/index.js';
import type { Logger } from '../log.js';
import { createProgressBar, formatCount } from '../ui/progress-bar.js';
import { help, UsageError, type Command } from './command.js';

const options = {
  seed: { type: 'string', default: '42' },
  users: { type: 'string', short: 'u', default: '500' },
  days: { type: 'string', short: 'd', default: '7' },
  start: { type: 'string', default: '2026-01-05' },
  'fraud-rate': { type: 'string' },
  scenarios: { type: 'string' },
  shift: { type: 'string' },
  out: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface SimulateCommandArgs {
  sim: SimulateOptions;
  out: string;
  quiet: boolean;
  help: boolean;
}

function integer(flag: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${flag} must be a whole number, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parses and validates `vigil simulate` flags; throws UsageError with what to fix. */
export function parseSimulateArgs(args: string[]): SimulateCommandArgs {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; the output directory goes in --out`);
  const seed = integer('seed', values.seed, 0, 2 ** 32 - 1);
  const users = integer('users', values.users, 1, 10_000_000);
  const days = integer('days', values.days, 1, 3_650);
  const startMs = /^\d{4}-\d{2}-\d{2}$/.test(values.start) ? Date.parse(`${values.start}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(startMs)) throw new UsageError(`--start must be a date like 2026-01-05 (UTC midnight), got "${values.start}"`);
  const sim: SimulateOptions = { seed, users, days, startMs };
  if (values['fraud-rate'] !== undefined) {
    const rate = Number(values['fraud-rate']);
    if (values['fraud-rate'].trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new UsageError(`--fraud-rate must be a share of users between 0 and 1 (e.g. 0.04), got "${values['fraud-rate']}"`);
    }
    sim.fraudRate = rate;
  }
  if (values.shift !== undefined) {
    // A named world of the evaluation: its knobs, and its scenarios and fraud rate unless given.
    const preset = SHIFT_PRESETS[values.shift];
    if (!preset) throw new UsageError(`unknown shift "${values.shift}"; choose from ${Object.keys(SHIFT_PRESETS).join(', ')}`);
    sim.shift = preset.shift;
    sim.scenarios = preset.scenarios;
    sim.fraudRate ??= preset.fraudRate;
  }
  if (values.scenarios !== undefined) {
    const list = values.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = list.filter((s) => !(ALL_SCENARIOS as readonly string[]).includes(s));
    if (unknown.length > 0) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}; choose from ${ALL_SCENARIOS.join(', ')}`);
    sim.scenarios = list as FraudScenario[];
  }
  const out = values.out ?? join('.vigil', 'fixtures', `seed${seed}-u${users}-d${days}`);
  return { sim, out, quiet: values.quiet === true, help: values.help === true };
}

/** `vigil simulate`: writes a labelled synthetic history as a fixture directory. */
export function simulateCommand(log: Logger): Command {
  const cmd: Command = {
    usage: [
      'vigil simulate [options]',
      '  --seed N          RNG seed; same seed, same output (default 42)',
      '  --users N         cardholders (default 500)',
      '  --days N          days of history (default 7)',
      '  --start DATE      first day, UTC (default 2026-01-05)',
      '  --fraud-rate R    share of users hit by one fraud incident (default 0.04)',
      `  --scenarios LIST  comma-separated subset of ${ALL_SCENARIOS.join(',')} (default: the first five)`,
      `  --shift NAME      a shifted world (src/fraud/simulator/shift-presets.ts): ${Object.keys(SHIFT_PRESETS).join(', ')};`,
      '                    its knobs, scenarios and fraud rate (the last two unless given)',
      '  --out DIR         fixture directory (default .vigil/fixtures/seed<S>-u<U>-d<D>)',
      '  --quiet           no progress bar',
    ].join('\n'),
    summary:
      'Generate a seeded synthetic payment history with labelled fraud as a fixture directory ' +
      '(transactions.ndjson with labels, transactions.pb, profiles.ndjson, manifest.json).',
    async run(args) {
      const parsed = parseSimulateArgs(args);
      if (parsed.help) return help(cmd);
      const sim = simulate(parsed.sim);
      const bar = createProgressBar({
        label: 'simulate',
        total: sim.estimatedTransactions,
        unit: 'tx',
        output: parsed.quiet ? { write: () => true } : process.stderr,
      });
      const manifest = await writeFixture(parsed.out, sim, {
        onProgress: (written, eventTimeMs) => bar.update(written, new Date(eventTimeMs).toISOString().slice(0, 10)),
      });
      bar.setTotal(manifest.counts.transactions); // the estimate becomes the real count
      const summary = bar.finish();
      const c = manifest.counts;
      log.debug({ out: parsed.out, counts: c }, 'fixture written');
      const scenarios = Object.entries(c.by_scenario)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ');
      process.stdout.write(
        `wrote ${parsed.out}: ${c.profiles} profiles, ${c.transactions} transactions (${c.fraud} fraud: ${scenarios}) ` +
          `in ${(summary.elapsedMs / 1000).toFixed(1)} s, ${formatCount(c.transactions / Math.max(summary.elapsedMs / 1000, 1e-3))} tx/s\n`,
      );
      return 0;
    },
  };
  return cmd;
}
