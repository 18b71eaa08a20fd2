import { FraudDataError } from './errors.js';
import { resolveShift, type ResolvedShift, type ShiftOptions } from './shift.js';

/** The classic scenarios, injected by default (the committed fixture and the training history). */
export const FRAUD_SCENARIOS = ['card_testing', 'account_takeover', 'impossible_travel', 'mcc_anomaly', 'bust_out'] as const;
/**
 * Stealthier fraud, only when asked for (`scenarios`): small amounts in familiar categories,
 * slow burns over days, ATM cash-outs, and mixes of them (see stealth-scenarios.ts).
 */
export const STEALTH_SCENARIOS = ['small_familiar', 'slow_burn', 'cash_out', 'mixed_stealth'] as const;
export const ALL_SCENARIOS = [...FRAUD_SCENARIOS, ...STEALTH_SCENARIOS] as const;
export type FraudScenario = (typeof ALL_SCENARIOS)[number];
/** The `scenario` tag of a transaction: `normal` for legitimate traffic. */
export type Scenario = 'normal' | FraudScenario;

export interface SimulateOptions {
  /** Any integer; the output is a pure function of the options, so the same seed gives identical output. */
  seed: number;
  /** Number of users (each with 1–2 cards). */
  users: number;
  /** Length of the simulated history in days (whole days). */
  days: number;
  /** Event time of the start of the history, epoch ms (no wall clock is read). */
  startMs: number;
  /**
   * Share of users who suffer one fraud incident during the history, in
   * [0, 1]; default 0.04. When it is above 0, at least one incident per
   * enabled scenario is placed (if there are enough users).
   */
  fraudRate?: number;
  /** Which scenarios to inject; default all of {@link FRAUD_SCENARIOS} (the stealth ones are opt-in). */
  scenarios?: readonly FraudScenario[];
  /** How this world departs from the default one (see shift.ts); default none. */
  shift?: ShiftOptions;
}

export type ResolvedSimulateOptions = Readonly<Required<Omit<SimulateOptions, 'shift'>>> & { readonly shift: ResolvedShift };

export const DEFAULT_FRAUD_RATE = 0.04;
const MAX_USERS = 10_000_000;
const MAX_DAYS = 3_650;

/** Validates once and fills defaults; throws VIGIL_ERR_SIMULATOR_OPTIONS with what to fix. */
export function resolveSimulateOptions(options: SimulateOptions): ResolvedSimulateOptions {
  const fail = (msg: string): never => {
    throw new FraudDataError('VIGIL_ERR_SIMULATOR_OPTIONS', msg);
  };
  const { seed, users, days, startMs } = options;
  if (!Number.isSafeInteger(seed)) fail(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(users) || users < 1 || users > MAX_USERS) fail(`users must be an integer from 1 to ${MAX_USERS}, got ${users}`);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) fail(`days must be an integer from 1 to ${MAX_DAYS}, got ${days}`);
  if (!Number.isSafeInteger(startMs) || startMs < 0) fail(`startMs must be a non-negative integer (epoch ms), got ${startMs}`);
  const fraudRate = options.fraudRate ?? DEFAULT_FRAUD_RATE;
  if (!Number.isFinite(fraudRate) || fraudRate < 0 || fraudRate > 1) fail(`fraudRate must be between 0 and 1, got ${fraudRate}`);
  const scenarios = options.scenarios ?? FRAUD_SCENARIOS;
  for (const s of scenarios) {
    if (!(ALL_SCENARIOS as readonly string[]).includes(s)) fail(`unknown scenario "${s}"; choose from ${ALL_SCENARIOS.join(', ')}`);
  }
  const shift = resolveShift(options.shift, ALL_SCENARIOS);
  return Object.freeze({ seed, users, days, startMs, fraudRate, scenarios: Object.freeze([...new Set(scenarios)]), shift });
}
