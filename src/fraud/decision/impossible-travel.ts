/**
 * A rule beside the model: a payment made in person this far from where
 * the card was last seen, this soon, is travel no one makes, and alerts
 * whatever the model scored.
 *
 * Why a rule: the model is trained on simulated worlds in which a very high
 * geo-velocity is often legitimate (the cardholder's own payment at home
 * right after a fraudster used the card far away, families sharing a card),
 * so it learned not to trust the feature alone; it scored a card that paid
 * for groceries in New York and, 20 minutes later, in person in Los Angeles
 * at 0.05. Over every evaluation world of `npm run eval` this rule, at
 * 2,000 km/h and 2,000 km on card-present payments, adds 0.01-0.09 % false
 * alarms on legitimate payments (models/MODEL_CARD.md).
 *
 * It reads only the features, so training and serving see the same thing.
 */
import { FEATURE_NAMES } from '../features/feature-names.js';
import { logOdds } from './explain.js';
import type { Reason } from '../schema/types.js';

export const IMPOSSIBLE_TRAVEL = { minKmh: 2_000, minKm: 2_000 } as const;

const VELOCITY = FEATURE_NAMES.indexOf('geo_velocity_kmh');
const DISTANCE = FEATURE_NAMES.indexOf('distance_from_prev_km');
const ONLINE = FEATURE_NAMES.indexOf('channel_online');

/** True for a card-present payment at least 2,000 km and 2,000 km/h from the card's last known position. */
export function isImpossibleTravel(features: readonly number[]): boolean {
  return (features[ONLINE] ?? 1) === 0 && (features[VELOCITY] ?? 0) >= IMPOSSIBLE_TRAVEL.minKmh && (features[DISTANCE] ?? 0) >= IMPOSSIBLE_TRAVEL.minKm;
}

/**
 * The rule's reason, listed first. Its contribution is what the model's
 * score lacked to reach the threshold, in log-odds (at least 0.01), so
 * reasons keep one unit.
 */
export function impossibleTravelReason(features: readonly number[], score: number, threshold: number): Reason {
  const velocity = features[VELOCITY] ?? 0;
  const distance = features[DISTANCE] ?? 0;
  return {
    feature: 'geo_velocity_kmh',
    value: velocity,
    contribution: Math.max(0.01, logOdds(threshold) - logOdds(score)),
    description: `impossible travel (rule): paid in person ${Math.round(distance).toLocaleString('en-US')} km from the card's last known position, at ${Math.round(velocity).toLocaleString('en-US')} km/h`,
  };
}
