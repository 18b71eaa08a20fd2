import { CATEGORY_BY_NAME } from './catalog.js';
import { FraudDataError } from './errors.js';

/**
 * Shift knobs: how far a simulated world departs from the one the model was
 * trained on. Every knob at its default leaves the simulation exactly as it
 * was before the knobs existed (same RNG draws, same ids, same bytes), which
 * keeps the committed fixture and the training history valid; the knobs only
 * add draws from their own RNG streams.
 */
export interface ShiftOptions {
  /** Multiplies every legitimate amount after the profile is written: the profile's typical spend goes stale. Default 1. */
  readonly amountScale?: number;
  /** Multiplies every user's daily rate. Default 1. */
  readonly rateScale?: number;
  /** Multiplies how often a category is bought, by category name (e.g. `{ online_retail: 3 }`). Default none. */
  readonly categoryMix?: Readonly<Record<string, number>>;
  /** Multiplies how often users travel (1 = about one trip per 40 days). Default 1. */
  readonly travelRate?: number;
  /** Chance per user and day of switching to a brand-new phone/browser for good. Default 0. */
  readonly deviceChurn?: number;
  /** Legitimate behaviour that looks odd, each a rate (see {@link ODDITIES}). Default all 0. */
  readonly oddities?: Readonly<Partial<Record<Oddity, number>>>;
  /** Relative weight of each scenario among incidents (default: the `scenarios` list, evenly). */
  readonly fraudMix?: Readonly<Record<string, number>>;
  /**
   * What online payments carry. `payer` (default): latitude/longitude is the payer's position
   * and `payer_location` is always set. `merchant`: latitude/longitude is the merchant's
   * registered address, as most processors send it.
   */
  readonly onlineLegacyPosition?: 'payer' | 'merchant';
  /** Share of online payments whose payer geolocation is known (`payer_location` set). Default 1. */
  readonly payerLocationShare?: number;
  /** When fraud labels arrive: mean delay in hours (exponential) and the share that never arrives. Default 0 and 0. */
  readonly labelDelayMeanHours?: number;
  readonly labelMissingShare?: number;
}

/**
 * Legitimate oddities, each a rate:
 * - `new_category`: first purchases in a category the profile has no typical spend for (per user-day).
 * - `big_one_off`: a one-off purchase 4–15× the user's largest typical amount, own card and device (per user-day).
 * - `family_card`: a family member uses the same card elsewhere in the home region the same day (per user-day).
 * - `salary_day`: extra spending on the 1st and 15th of the month (extra payments per user on those days).
 *
 * Online shopping from home at a far-away merchant needs no knob: online merchants sit in all
 * sixteen cities, so most online payments already are; `onlineLegacyPosition: 'merchant'`
 * makes that visible in latitude/longitude, as processors send it.
 */
export const ODDITIES = ['new_category', 'big_one_off', 'family_card', 'salary_day'] as const;
export type Oddity = (typeof ODDITIES)[number];

export interface ResolvedShift {
  readonly amountScale: number;
  readonly rateScale: number;
  readonly categoryMix: Readonly<Record<string, number>>;
  readonly travelRate: number;
  readonly deviceChurn: number;
  readonly oddities: Readonly<Record<Oddity, number>>;
  readonly fraudMix: Readonly<Record<string, number>>;
  readonly onlineLegacyPosition: 'payer' | 'merchant';
  readonly payerLocationShare: number;
  readonly labelDelayMeanHours: number;
  readonly labelMissingShare: number;
}

export const NO_SHIFT: ResolvedShift = Object.freeze({
  amountScale: 1,
  rateScale: 1,
  categoryMix: Object.freeze({}),
  travelRate: 1,
  deviceChurn: 0,
  oddities: Object.freeze({ new_category: 0, big_one_off: 0, family_card: 0, salary_day: 0 }),
  fraudMix: Object.freeze({}),
  onlineLegacyPosition: 'payer',
  payerLocationShare: 1,
  labelDelayMeanHours: 0,
  labelMissingShare: 0,
});

/** Validates once and fills defaults; throws VIGIL_ERR_SIMULATOR_OPTIONS naming the knob to fix. */
export function resolveShift(shift: ShiftOptions | undefined, knownScenarios: readonly string[]): ResolvedShift {
  if (shift === undefined) return NO_SHIFT;
  const fail = (msg: string): never => {
    throw new FraudDataError('VIGIL_ERR_SIMULATOR_OPTIONS', `shift.${msg}`);
  };
  const positive = (name: string, v: number | undefined, dflt: number, max = 100): number => {
    const x = v ?? dflt;
    if (!Number.isFinite(x) || x < 0 || x > max) fail(`${name} must be a number from 0 to ${max}, got ${x}`);
    return x;
  };
  const share = (name: string, v: number | undefined, dflt: number): number => {
    const x = v ?? dflt;
    if (!Number.isFinite(x) || x < 0 || x > 1) fail(`${name} must be between 0 and 1, got ${x}`);
    return x;
  };
  const categoryMix: Record<string, number> = {};
  for (const [name, w] of Object.entries(shift.categoryMix ?? {})) {
    if (!CATEGORY_BY_NAME.has(name)) fail(`categoryMix: unknown category "${name}"; choose from ${[...CATEGORY_BY_NAME.keys()].join(', ')}`);
    categoryMix[name] = positive(`categoryMix.${name}`, w, 1);
  }
  const oddities = { ...NO_SHIFT.oddities };
  for (const [name, rate] of Object.entries(shift.oddities ?? {})) {
    if (!(ODDITIES as readonly string[]).includes(name)) fail(`oddities: unknown oddity "${name}"; choose from ${ODDITIES.join(', ')}`);
    oddities[name as Oddity] = share(`oddities.${name}`, rate, 0);
  }
  const fraudMix: Record<string, number> = {};
  for (const [name, w] of Object.entries(shift.fraudMix ?? {})) {
    if (!knownScenarios.includes(name)) fail(`fraudMix: unknown scenario "${name}"; choose from ${knownScenarios.join(', ')}`);
    fraudMix[name] = positive(`fraudMix.${name}`, w, 1);
  }
  const legacy = shift.onlineLegacyPosition ?? 'payer';
  if (legacy !== 'payer' && legacy !== 'merchant') fail(`onlineLegacyPosition must be "payer" or "merchant", got ${String(legacy)}`);
  return Object.freeze({
    amountScale: positive('amountScale', shift.amountScale, 1),
    rateScale: positive('rateScale', shift.rateScale, 1),
    categoryMix: Object.freeze(categoryMix),
    travelRate: positive('travelRate', shift.travelRate, 1),
    deviceChurn: share('deviceChurn', shift.deviceChurn, 0),
    oddities: Object.freeze(oddities),
    fraudMix: Object.freeze(fraudMix),
    onlineLegacyPosition: legacy,
    payerLocationShare: share('payerLocationShare', shift.payerLocationShare, 1),
    labelDelayMeanHours: positive('labelDelayMeanHours', shift.labelDelayMeanHours, 0, 10_000),
    labelMissingShare: share('labelMissingShare', shift.labelMissingShare, 0),
  });
}
