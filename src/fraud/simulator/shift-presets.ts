import { ALL_SCENARIOS, type FraudScenario } from './options.js';
import type { ShiftOptions } from './shift.js';

/**
 * Named worlds for evaluation under shift (`npm run eval`): one to train
 * on and several that differ from it in one respect each, plus the old
 * in-distribution reference. Each has its own seed, so no test world
 * shares a single user, merchant draw or incident with the training one.
 */
export interface ShiftPreset {
  readonly name: string;
  /** One line for the report: what differs from the training world. */
  readonly description: string;
  readonly seed: number;
  readonly fraudRate: number;
  readonly scenarios: readonly FraudScenario[];
  readonly shift: ShiftOptions;
}

/** A little of everything odd, labels late or missing: the world a model is trained on. */
const TRAIN_SHIFT: ShiftOptions = {
  oddities: { new_category: 0.01, big_one_off: 0.004, family_card: 0.005, salary_day: 0.3 },
  deviceChurn: 0.004,
  payerLocationShare: 0.85,
  labelDelayMeanHours: 48,
  labelMissingShare: 0.05,
};

export const SHIFT_PRESETS: Readonly<Record<string, ShiftPreset>> = {
  train: {
    name: 'train',
    description: 'training world: every scenario, a few legitimate oddities, 15% of online payments without payer position, labels 2 days late on average and 5% never',
    seed: 101,
    fraudRate: 0.06,
    scenarios: ALL_SCENARIOS,
    shift: TRAIN_SHIFT,
  },
  classic: {
    name: 'classic',
    description: 'the old simulator: the five classic scenarios, no oddities (the in-distribution reference)',
    seed: 606,
    fraudRate: 0.04,
    scenarios: ['card_testing', 'account_takeover', 'impossible_travel', 'mcc_anomaly', 'bust_out'],
    shift: {},
  },
  population: {
    name: 'population',
    description: 'another population: amounts 1.5x the profiles, 1.4x as many payments, online shopping 2.5x, groceries 0.7x',
    seed: 202,
    fraudRate: 0.04,
    scenarios: ALL_SCENARIOS,
    shift: { ...TRAIN_SHIFT, amountScale: 1.5, rateScale: 1.4, categoryMix: { online_retail: 2.5, digital_goods: 2, grocery: 0.7 }, labelDelayMeanHours: 0, labelMissingShare: 0 },
  },
  travel: {
    name: 'travel',
    description: 'travellers: 4x the trips, a new phone every ~30 days, family cards 4x as common',
    seed: 303,
    fraudRate: 0.04,
    scenarios: ALL_SCENARIOS,
    shift: { ...TRAIN_SHIFT, travelRate: 4, deviceChurn: 0.033, oddities: { ...TRAIN_SHIFT.oddities, family_card: 0.02 }, labelDelayMeanHours: 0, labelMissingShare: 0 },
  },
  processor: {
    name: 'processor',
    description: "as processors send it: online latitude/longitude is the merchant's address, payer position known for 30% of online payments",
    seed: 404,
    fraudRate: 0.04,
    scenarios: ALL_SCENARIOS,
    shift: { ...TRAIN_SHIFT, onlineLegacyPosition: 'merchant', payerLocationShare: 0.3, labelDelayMeanHours: 0, labelMissingShare: 0 },
  },
  messy: {
    name: 'messy',
    description: 'messier people, stealthier fraud: 4x new categories, 5x big one-offs, salary-day sprees, stealth scenarios twice as common',
    seed: 505,
    fraudRate: 0.04,
    scenarios: ALL_SCENARIOS,
    shift: {
      ...TRAIN_SHIFT,
      oddities: { new_category: 0.04, big_one_off: 0.02, family_card: 0.01, salary_day: 0.6 },
      fraudMix: { card_testing: 1, account_takeover: 1, impossible_travel: 1, mcc_anomaly: 1, bust_out: 1, small_familiar: 2, slow_burn: 2, cash_out: 2, mixed_stealth: 2 },
      labelDelayMeanHours: 0,
      labelMissingShare: 0,
    },
  },
};
