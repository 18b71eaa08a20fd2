import type { Channel } from '../schema/types.js';
import { CITIES, jitter, type City } from './geo.js';
import type { Rng } from './rng.js';
import { FraudDataError } from './errors.js';

/**
 * Spending categories. `typical_spend_by_category` in a profile is keyed by
 * `name`. `popularity` is how often an average user who uses the category
 * buys in it; `adoption` is the share of users who use it at all, so a
 * category a user never uses is a meaningful signal (merchant-category
 * anomaly).
 */
export interface Category {
  name: string;
  mcc: number;
  /** Median amount in major units for an average user. */
  baseAmount: number;
  popularity: number;
  adoption: number;
  /** Bought online (the card is not present). */
  online: boolean;
}

export const CATEGORIES: readonly Category[] = [
  { name: 'grocery', mcc: 5411, baseAmount: 48, popularity: 0.24, adoption: 1, online: false },
  { name: 'restaurants', mcc: 5812, baseAmount: 38, popularity: 0.13, adoption: 0.9, online: false },
  { name: 'fast_food', mcc: 5814, baseAmount: 12, popularity: 0.13, adoption: 0.85, online: false },
  { name: 'gas', mcc: 5541, baseAmount: 42, popularity: 0.1, adoption: 0.7, online: false },
  { name: 'retail', mcc: 5311, baseAmount: 65, popularity: 0.08, adoption: 0.8, online: false },
  { name: 'clothing', mcc: 5651, baseAmount: 72, popularity: 0.05, adoption: 0.6, online: false },
  { name: 'pharmacy', mcc: 5912, baseAmount: 24, popularity: 0.05, adoption: 0.7, online: false },
  { name: 'entertainment', mcc: 7832, baseAmount: 30, popularity: 0.04, adoption: 0.5, online: false },
  { name: 'online_retail', mcc: 5999, baseAmount: 55, popularity: 0.08, adoption: 0.75, online: true },
  { name: 'digital_goods', mcc: 5818, baseAmount: 14, popularity: 0.05, adoption: 0.6, online: true },
  { name: 'atm', mcc: 6011, baseAmount: 80, popularity: 0.03, adoption: 0.5, online: false },
  { name: 'electronics', mcc: 5732, baseAmount: 180, popularity: 0.015, adoption: 0.3, online: false },
  { name: 'hotels', mcc: 7011, baseAmount: 190, popularity: 0.003, adoption: 0.35, online: false },
  { name: 'airlines', mcc: 4511, baseAmount: 320, popularity: 0.003, adoption: 0.35, online: true },
  { name: 'jewelry', mcc: 5944, baseAmount: 260, popularity: 0.004, adoption: 0.08, online: false },
  { name: 'gambling', mcc: 7995, baseAmount: 90, popularity: 0.01, adoption: 0.05, online: true },
  { name: 'money_transfer', mcc: 4829, baseAmount: 250, popularity: 0.008, adoption: 0.08, online: true },
];

export const CATEGORY_BY_NAME: ReadonlyMap<string, Category> = new Map(CATEGORIES.map((c) => [c.name, c]));

export function category(name: string): Category {
  const c = CATEGORY_BY_NAME.get(name);
  if (!c) throw new FraudDataError('VIGIL_ERR_SIMULATOR_OPTIONS', `unknown category ${name}; choose one of the catalog's categories`);
  return c;
}

/** Categories where fraudsters cash out: high value, resellable. */
export const CASH_OUT_CATEGORIES = ['electronics', 'jewelry', 'money_transfer', 'gambling', 'airlines'] as const;

export interface Merchant {
  id: string;
  category: Category;
  city: City;
  lat: number;
  lon: number;
}

/** Merchants per (city, category); online merchants are placed in their headquarters' city. */
const MERCHANTS_PER_CITY_CATEGORY = 24;

export interface MerchantCatalog {
  all: readonly Merchant[];
  /** Merchants of a category in a city. */
  in(city: City, category: Category): readonly Merchant[];
  /** Online merchants of a category, anywhere. */
  online(category: Category): readonly Merchant[];
}

export function buildMerchants(rng: Rng): MerchantCatalog {
  const all: Merchant[] = [];
  const byCityCategory = new Map<string, Merchant[]>();
  const byCategory = new Map<string, Merchant[]>();
  for (const city of CITIES) {
    for (const cat of CATEGORIES) {
      const list: Merchant[] = [];
      for (let i = 0; i < MERCHANTS_PER_CITY_CATEGORY; i++) {
        const at = jitter(rng, city.lat, city.lon, 15);
        const m: Merchant = { id: `m-${city.code}-${cat.mcc}-${String(i).padStart(2, '0')}`, category: cat, city, lat: at.lat, lon: at.lon };
        list.push(m);
        all.push(m);
      }
      byCityCategory.set(`${city.code}/${cat.name}`, list);
      let byCat = byCategory.get(cat.name);
      if (!byCat) byCategory.set(cat.name, (byCat = []));
      byCat.push(...list);
    }
  }
  return {
    all,
    in: (city, cat) => byCityCategory.get(`${city.code}/${cat.name}`) ?? [],
    online: (cat) => byCategory.get(cat.name) ?? [],
  };
}

/** How a purchase in `category` is usually paid. */
export function channelFor(rng: Rng, cat: Category): Channel {
  if (cat.online) return 'CHANNEL_ONLINE';
  if (cat.name === 'atm') return 'CHANNEL_ATM';
  return rng.chance(0.45) ? 'CHANNEL_CONTACTLESS' : 'CHANNEL_CARD_PRESENT';
}
