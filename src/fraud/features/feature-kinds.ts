import type { FeatureName } from './feature-names.js';

/**
 * What kind of quantity each feature is, so a reader (the dashboard, a
 * report) shows `typical_spend_known = 0` as "no" and `amount_vs_typical` as
 * "3.2×", never as money. Typed over {@link FeatureName}: a new feature does
 * not compile until it has a kind.
 */
export type FeatureKind = 'money' | 'count' | 'ratio' | 'flag' | 'km' | 'kmh' | 'seconds' | 'days' | 'zscore' | 'number';

export const FEATURE_KINDS: { readonly [N in FeatureName]: FeatureKind } = {
  amount: 'money',
  log_amount: 'number',
  count_1m: 'count',
  count_1h: 'count',
  count_24h: 'count',
  sum_1h: 'money',
  sum_24h: 'money',
  category_spend_5m: 'money',
  distinct_merchants_1h: 'count',
  new_merchants_1h: 'count',
  small_amount_count_1h: 'count',
  seconds_since_prev: 'seconds',
  distance_from_prev_km: 'km',
  geo_velocity_kmh: 'kmh',
  region_changed: 'flag',
  amount_zscore: 'zscore',
  amount_vs_mean: 'ratio',
  spend_24h_vs_daily_mean: 'ratio',
  history_count: 'count',
  new_device: 'flag',
  new_merchant: 'flag',
  new_category: 'flag',
  distance_from_home_km: 'km',
  account_age_days: 'days',
  amount_vs_typical: 'ratio',
  typical_spend_known: 'flag',
  amount_vs_max_typical: 'ratio',
  high_risk_category: 'flag',
  channel_online: 'flag',
  profile_missing: 'flag',
};
