import type { Transaction, UserProfile } from '../schema/types.js';
import { nextCardState } from './card-state.js';
import type { CardState, Position } from './card-state.js';
import type { FeatureValues } from './feature-names.js';
import { haversineKm } from './geo.js';
import { categoryGroupOf, isHighRiskCategory } from './mcc-groups.js';
import { CATEGORY_WINDOW, DAY_MS, HOUR_MS, MINUTE_MS, oldestHoppingWindowStart } from './recent-activity.js';
import type { RecentTransaction } from './recent-activity.js';

/** Below this amount (major units) a payment counts as a probe (card testing). */
export const SMALL_AMOUNT = 5;
const MAX_GAP_SECONDS = 30 * 24 * 3600;
const MAX_HISTORY = 1000;
/** Fewer earlier transactions than this and the z-score is 0: the variance means nothing yet. */
const MIN_HISTORY_FOR_ZSCORE = 3;
/**
 * Geo-velocity divides by at least a minute: two payments seconds apart a
 * few km away are a shop and its terminal's geocoding, not a jet.
 */
const MIN_TRAVEL_HOURS = 1 / 60;

/**
 * Where the cardholder was when paying, as far as the payment says
 * (`vigil-features-v3`): in person, the terminal (`terminal_location`, or
 * the legacy latitude/longitude, which meant the terminal then too); online,
 * only the payer's device or IP position (`payer_location`). An online
 * payment without one has no position: its legacy latitude/longitude is, from
 * most processors, the merchant's registered address, and reading that as
 * the cardholder's position made people shopping online from home look like
 * jet travellers (issue 15).
 */
export function payerPosition(tx: Transaction): Position | undefined {
  if (tx.channel === 'CHANNEL_ONLINE') return tx.payer_location ?? undefined;
  return tx.terminal_location ?? { latitude: tx.latitude, longitude: tx.longitude };
}

/** Everything computed for one transaction. */
export interface ComputedFeatures {
  readonly values: FeatureValues;
  /** The card's state to store after this transaction. */
  readonly nextState: CardState;
  /** The entry to add to the card's recent-activity window store. */
  readonly recent: RecentTransaction;
}

/**
 * The features of `tx`, from the card's state before it and its earlier
 * transactions of the last 24 hours (`recent`, any order, without `tx`).
 * Pure and deterministic: time comes only from event times, so a replay of
 * the same history always yields the same vectors (training = serving).
 */
export function computeFeatures(
  tx: Transaction,
  profile: UserProfile | null,
  state: CardState | undefined,
  recent: readonly RecentTransaction[],
): ComputedFeatures {
  const t = tx.event_time_ms;
  const amount = tx.amount_minor / 100;
  const category = categoryGroupOf(tx.mcc);
  const history = state?.count ?? 0;

  const lastMinute = within(recent, t, MINUTE_MS);
  const lastHour = within(recent, t, HOUR_MS);
  const lastDay = within(recent, t, DAY_MS);

  const hopStart = oldestHoppingWindowStart(t, CATEGORY_WINDOW.sizeMs, CATEGORY_WINDOW.advanceMs);
  const categorySpend5m =
    amount + sum(recent.filter((r) => r.category === category && r.eventTimeMs >= hopStart && r.eventTimeMs <= t));

  const newMerchant = !(state?.merchants.includes(tx.merchant_id) ?? false);
  // Chip and ATM payments carry no device id: absent is not "new".
  const newDevice = tx.device_id !== '' && !(state?.devices.includes(tx.device_id) ?? false);
  const newCategory = !(state?.categories.includes(category) ?? false);

  const position = payerPosition(tx);
  let secondsSincePrev = MAX_GAP_SECONDS;
  let distanceFromPrevKm = 0;
  let geoVelocityKmh = 0;
  let regionChanged = 0;
  if (state) {
    const gapMs = Math.max(0, t - state.lastEventMs);
    secondsSincePrev = Math.min(MAX_GAP_SECONDS, gapMs / 1000);
    regionChanged = state.lastRegion !== tx.region ? 1 : 0;
    // Distance and speed only between two known positions, over the time between them.
    if (position !== undefined && state.lastPositionMs >= 0) {
      distanceFromPrevKm = haversineKm(state.lastLatitude, state.lastLongitude, position.latitude, position.longitude);
      geoVelocityKmh = distanceFromPrevKm / Math.max(MIN_TRAVEL_HOURS, Math.max(0, t - state.lastPositionMs) / HOUR_MS);
    }
  }

  let amountZscore = 0;
  if (state && state.count >= MIN_HISTORY_FOR_ZSCORE) {
    const std = Math.sqrt(state.m2Amount / (state.count - 1));
    // A floor of one currency unit: a card that always pays the same amount
    // must not turn a cent's difference into a huge z-score.
    amountZscore = (amount - state.meanAmount) / Math.max(1, std);
  }
  const amountVsMean = state ? amount / Math.max(1, state.meanAmount) : 1;

  const sum24h = amount + sum(lastDay);
  let spend24hVsDailyMean = 1;
  if (state) {
    const days = Math.max(1, (t - state.firstEventMs) / DAY_MS);
    spend24hVsDailyMean = sum24h / Math.max(1, state.totalAmount / days);
  }

  const typical = profile?.typical_spend_by_category?.[category];
  const typicalKnown = typical !== undefined && typical > 0;
  const knownTypicals = Object.values(profile?.typical_spend_by_category ?? {}).filter((v) => v > 0);
  // The user's biggest usual purchase: a payment far above it is unusual
  // whatever its category, which matters most when the category is new.
  const maxTypical = Math.max(0, ...knownTypicals);
  // A category without a typical spend falls back to the user's overall one
  // (the mean over the categories the profile knows): a first purchase in a
  // new category is judged against what the user usually spends, not as 1×.
  const overallTypical = knownTypicals.length > 0 ? knownTypicals.reduce((a, b) => a + b, 0) / knownTypicals.length : 0;
  const typicalOrOverall = typicalKnown ? typical : overallTypical;

  const values: FeatureValues = {
    amount,
    log_amount: Math.log1p(Math.max(0, amount)),
    count_1m: lastMinute.length + 1,
    count_1h: lastHour.length + 1,
    count_24h: lastDay.length + 1,
    sum_1h: amount + sum(lastHour),
    sum_24h: sum24h,
    category_spend_5m: categorySpend5m,
    distinct_merchants_1h: new Set([tx.merchant_id, ...lastHour.map((r) => r.merchantId)]).size,
    new_merchants_1h: lastHour.filter((r) => r.newMerchant).length + (newMerchant ? 1 : 0),
    small_amount_count_1h: lastHour.filter((r) => r.amount < SMALL_AMOUNT).length + (amount < SMALL_AMOUNT ? 1 : 0),
    seconds_since_prev: secondsSincePrev,
    distance_from_prev_km: distanceFromPrevKm,
    geo_velocity_kmh: geoVelocityKmh,
    region_changed: regionChanged,
    amount_zscore: amountZscore,
    amount_vs_mean: amountVsMean,
    spend_24h_vs_daily_mean: spend24hVsDailyMean,
    history_count: Math.min(MAX_HISTORY, history),
    new_device: newDevice ? 1 : 0,
    new_merchant: newMerchant ? 1 : 0,
    new_category: newCategory ? 1 : 0,
    distance_from_home_km: profile && position ? haversineKm(profile.home_latitude, profile.home_longitude, position.latitude, position.longitude) : 0,
    account_age_days: profile ? Math.max(0, (t - profile.account_created_ms) / DAY_MS) : 0,
    amount_vs_typical: typicalOrOverall > 0 ? amount / typicalOrOverall : 1,
    typical_spend_known: typicalKnown ? 1 : 0,
    amount_vs_max_typical: maxTypical > 0 ? amount / maxTypical : 1,
    high_risk_category: isHighRiskCategory(category) ? 1 : 0,
    channel_online: tx.channel === 'CHANNEL_ONLINE' ? 1 : 0,
    profile_missing: profile ? 0 : 1,
  };

  const nextState = nextCardState(state, {
    eventTimeMs: t,
    amount,
    position,
    region: tx.region,
    deviceId: tx.device_id,
    merchantId: tx.merchant_id,
    category,
  });
  return { values, nextState, recent: { eventTimeMs: t, amount, merchantId: tx.merchant_id, category, region: tx.region, newMerchant } };
}

// Module functions, not local arrows: tsx names every arrow it creates, once per call of the enclosing function.
function within(recent: readonly RecentTransaction[], t: number, ms: number): RecentTransaction[] {
  return recent.filter((r) => r.eventTimeMs > t - ms && r.eventTimeMs <= t);
}

function sum(rs: readonly RecentTransaction[]): number {
  return rs.reduce((acc, r) => acc + r.amount, 0);
}
