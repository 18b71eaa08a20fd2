import type { Alert, Reason } from '../../../src/fraud/schema/index.js';

type Scenario = { mcc: number; merchant: string; amount: [number, number]; channel: Alert['transaction'] extends infer T ? T extends { channel: infer C } ? C : never : never; reasons: Array<Omit<Reason, 'value'> & { value: [number, number] }> };

const SCENARIOS: Scenario[] = [
  {
    mcc: 5816, merchant: 'm-digital-store-', amount: [100, 400], channel: 'CHANNEL_ONLINE',
    reasons: [
      { feature: 'count_1m', value: [6, 14], contribution: 2.4, description: 'burst of payments within a minute' },
      { feature: 'distinct_merchants_1h', value: [5, 11], contribution: 1.6, description: 'many new merchants in the last hour' },
      { feature: 'new_merchant', value: [1, 1], contribution: 0.7, description: 'merchant never used by this card' },
    ],
  },
  {
    mcc: 5732, merchant: 'm-electronics-', amount: [89_000, 240_000], channel: 'CHANNEL_ONLINE',
    reasons: [
      { feature: 'new_device', value: [1, 1], contribution: 1.9, description: 'new device' },
      { feature: 'geo_velocity_kmh', value: [900, 3_400], contribution: 1.7, description: 'location jumped since the last payment' },
      { feature: 'amount_zscore', value: [4.1, 8.8], contribution: 1.3, description: 'amount far above the usual' },
    ],
  },
  {
    mcc: 5411, merchant: 'm-grocery-', amount: [2_000, 9_000], channel: 'CHANNEL_CARD_PRESENT',
    reasons: [
      { feature: 'geo_velocity_kmh', value: [2_800, 4_600], contribution: 2.8, description: 'impossible travel between regions' },
      { feature: 'seconds_since_prev', value: [240, 1_500], contribution: 0.9, description: 'minutes after a payment far away' },
      { feature: 'typical_spend_known', value: [0, 0], contribution: 0.4, description: 'no typical spend known for this category group' },
    ],
  },
  {
    mcc: 7995, merchant: 'm-casino-', amount: [30_000, 120_000], channel: 'CHANNEL_ONLINE',
    reasons: [
      { feature: 'category_spend_5m', value: [300, 1_200], contribution: 1.8, description: 'spend in a category this card never uses' },
      { feature: 'amount_zscore', value: [3.2, 5.5], contribution: 1.1, description: 'amount far above the usual' },
    ],
  },
  {
    mcc: 5944, merchant: 'm-jewelry-', amount: [180_000, 480_000], channel: 'CHANNEL_CARD_PRESENT',
    reasons: [
      { feature: 'sum_24h', value: [4_000, 9_500], contribution: 2.2, description: 'daily spend near the limit' },
      { feature: 'amount_zscore', value: [5, 9], contribution: 1.5, description: 'amount far above the usual' },
      { feature: 'count_24h', value: [9, 22], contribution: 0.6, description: 'more payments than usual today' },
    ],
  },
];

/** A varied, plausible alert for screenshots and demos: scenario, card and region chosen by `n` and `random`. */
export function demoAlert(n: number, random: () => number, topic: string): Alert {
  const s = SCENARIOS[n % SCENARIOS.length] as Scenario;
  const between = ([lo, hi]: [number, number]) => lo + (hi - lo) * random();
  const region = random() < 0.55 ? 'us-east' : 'us-west';
  return {
    alert_id: `demo-${n}`,
    transaction: {
      transaction_id: `tx-${topic}-${n}`,
      card_id: `card-${4000 + ((n * 7) % 9)}`,
      user_id: `user-${200 + ((n * 7) % 9)}`,
      amount_minor: Math.round(between(s.amount)),
      currency: 'USD',
      merchant_id: `${s.merchant}${100 + (n % 13)}`,
      mcc: s.mcc,
      latitude: region === 'us-east' ? 40.71 + random() : 37.77 + random(),
      longitude: region === 'us-east' ? -74.0 + random() : -122.42 + random(),
      device_id: `dev-${(n * 31) % 97}`,
      channel: s.channel,
      region,
      event_time_ms: Date.now() - Math.round(random() * 2_000),
    },
    score: Math.min(0.999, 0.72 + random() * 0.27),
    model_version: 'fraud-gbm-2026.11.1',
    reasons: s.reasons.map((r) => ({ ...r, value: Number.isInteger(r.value[0]) && Number.isInteger(r.value[1]) ? Math.round(between(r.value)) : Math.round(between(r.value) * 10) / 10 })),
    source: { topic: `${topic}.transactions`, partition: n % 3, offset: 1_000 + n },
  };
}
