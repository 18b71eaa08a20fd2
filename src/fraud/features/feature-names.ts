/**
 * The feature set, in model input order. The model's metadata
 * (`models/fraud.metadata.json`) repeats this list and its version; the
 * scorer refuses a model whose list differs, so the topology and the model
 * cannot silently disagree. Append-only changes still need a new version
 * and a retrained model.
 */
export const FEATURE_SET_VERSION = 'vigil-features-v3';

/** Each feature with what it measures, in model input order. */
export const FEATURES = [
  ['amount', 'amount in major units'],
  ['log_amount', 'ln(1 + amount)'],
  ['count_1m', 'transactions on the card in the last minute, this one included'],
  ['count_1h', 'transactions on the card in the last hour, this one included'],
  ['count_24h', 'transactions on the card in the last 24 hours, this one included'],
  ['sum_1h', 'spend on the card in the last hour'],
  ['sum_24h', 'spend on the card in the last 24 hours'],
  ['category_spend_5m', "spend in this merchant category group in the oldest open 5-minute hopping window (advance 1 minute)"],
  ['distinct_merchants_1h', 'distinct merchants used by the card in the last hour'],
  ['new_merchants_1h', 'merchants first seen on the card within the last hour'],
  ['small_amount_count_1h', 'transactions under 5.00 in the last hour'],
  ['seconds_since_prev', 'seconds since the card\'s previous transaction (capped at 30 days)'],
  ['distance_from_prev_km', "km from the cardholder's last known position (0 when this payment or every earlier one has none)"],
  ['geo_velocity_kmh', 'km/h needed to get there from the last known position since it was seen'],
  ['region_changed', 'the region differs from the previous transaction\'s'],
  ['amount_zscore', 'amount z-score against the card\'s history'],
  ['amount_vs_mean', 'amount divided by the card\'s mean amount'],
  ['spend_24h_vs_daily_mean', 'spend in the last 24 hours divided by the card\'s mean daily spend'],
  ['history_count', 'earlier transactions on the card (capped at 1000)'],
  ['new_device', 'first transaction from this device on the card'],
  ['new_merchant', 'first transaction at this merchant on the card'],
  ['new_category', 'first transaction in this merchant category group on the card'],
  ['distance_from_home_km', "km from the user's home to where the cardholder paid (0 when unknown, e.g. online without a payer position)"],
  ['account_age_days', 'days since the account was created'],
  ['amount_vs_typical', "amount divided by the user's typical spend in this category group, or their overall typical spend when the group has none"],
  ['typical_spend_known', 'the profile has a typical spend for this category group'],
  ['amount_vs_max_typical', "amount divided by the user's largest typical spend in any category group"],
  ['high_risk_category', 'the merchant category group is a usual cash-out target (electronics, jewelry, money transfer, gambling)'],
  ['channel_online', 'card-not-present (online) transaction'],
  ['profile_missing', 'no user profile was found; defaults were used'],
] as const satisfies ReadonlyArray<readonly [string, string]>;

export type FeatureName = (typeof FEATURES)[number][0];

/** Feature names in model input order. */
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map(([name]) => name);

const DESCRIPTIONS: ReadonlyMap<string, string> = new Map(FEATURES);

/** What a feature measures, for alert reasons and docs. */
export function describeFeature(name: string): string {
  return DESCRIPTIONS.get(name) ?? name;
}

/** One value per feature, by name. */
export type FeatureValues = { [N in FeatureName]: number };

/** The values in model input order. */
export function toFeatureArray(values: FeatureValues): number[] {
  return FEATURE_NAMES.map((name) => values[name]);
}
