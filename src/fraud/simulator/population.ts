import type { UserProfile } from '../schema/types.js';
import { CATEGORIES, type Category, type Merchant, type MerchantCatalog } from './catalog.js';
import { CITIES, jitter, type City } from './geo.js';
import type { Rng } from './rng.js';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** A simulated cardholder: the public profile plus the habits that drive their traffic. */
export interface SimUser {
  index: number;
  profile: UserProfile;
  homeCity: City;
  homeLat: number;
  homeLon: number;
  /** Card ids; the first is used most. */
  cards: string[];
  /** The user's own phones/browsers; online and contactless payments use them. */
  devices: string[];
  /** Mean transactions per day. */
  dailyRate: number;
  /** Categories the user buys in, with relative weights. */
  categories: Category[];
  categoryWeights: number[];
  /** Typical amount (major units) per category name. */
  typicalSpend: Map<string, number>;
  /** A few regular merchants per category in the home city. */
  favorites: Map<string, Merchant[]>;
}

function userId(i: number): string {
  return `u-${String(i).padStart(6, '0')}`;
}

/** Cities weighted roughly by population, so big cities hold more users. */
const CITY_WEIGHTS = CITIES.map((c) => ({ nyc: 5, lax: 4, chi: 3 })[c.code as 'nyc'] ?? 1.5);

export function buildUser(rng: Rng, index: number, startMs: number, merchants: MerchantCatalog): SimUser {
  const id = userId(index);
  const homeCity = CITIES[rng.weighted(CITY_WEIGHTS)] as City;
  const home = jitter(rng, homeCity.lat, homeCity.lon, 12);
  const cards = [`c-${id.slice(2)}-1`];
  if (rng.chance(0.35)) cards.push(`c-${id.slice(2)}-2`);
  const devices = [`d-${id.slice(2)}-1`];
  if (rng.chance(0.5)) devices.push(`d-${id.slice(2)}-2`);
  // Spending scale: some users spend several times more than others on everything.
  const wealth = rng.logNormal(0, 0.45);
  const categories: Category[] = [];
  const categoryWeights: number[] = [];
  const typicalSpend = new Map<string, number>();
  const favorites = new Map<string, Merchant[]>();
  for (const cat of CATEGORIES) {
    if (!rng.chance(cat.adoption)) continue;
    categories.push(cat);
    categoryWeights.push(cat.popularity * rng.between(0.5, 1.5));
    typicalSpend.set(cat.name, Math.round(cat.baseAmount * wealth * rng.logNormal(0, 0.3) * 100) / 100);
    const pool = cat.online ? merchants.online(cat) : merchants.in(homeCity, cat);
    const favs: Merchant[] = [];
    const count = rng.int(1, 4);
    for (let i = 0; i < count; i++) favs.push(rng.pick(pool));
    favorites.set(cat.name, favs);
  }
  const accountAgeDays = Math.round(rng.logNormal(Math.log(900), 0.9)) + 20;
  const profile: UserProfile = {
    user_id: id,
    card_ids: cards,
    home_latitude: home.lat,
    home_longitude: home.lon,
    home_region: homeCity.region,
    account_created_ms: startMs - accountAgeDays * DAY_MS + rng.int(0, DAY_MS - 1),
    typical_spend_by_category: Object.fromEntries(typicalSpend),
  };
  return {
    index,
    profile,
    homeCity,
    homeLat: home.lat,
    homeLon: home.lon,
    cards,
    devices,
    dailyRate: Math.min(12, rng.logNormal(Math.log(2.6), 0.45)),
    categories,
    categoryWeights,
    typicalSpend,
    favorites,
  };
}

/**
 * Relative activity per local hour of day: quiet nights, a morning rise,
 * lunch and evening peaks.
 */
export const HOURLY_ACTIVITY: readonly number[] = [
  0.15, 0.08, 0.05, 0.04, 0.05, 0.12, 0.35, 0.7, 0.95, 0.9, 0.9, 1.1, 1.45, 1.3, 1.0, 0.95, 1.0, 1.2, 1.5, 1.45, 1.15, 0.85, 0.55, 0.3,
];
const MAX_ACTIVITY = Math.max(...HOURLY_ACTIVITY);

/** Weekends see a little more shopping; index by UTC weekday of the local date (0 = Sunday). */
export const WEEKDAY_FACTOR: readonly number[] = [1.15, 0.95, 0.95, 0.95, 1.0, 1.1, 1.25];

export function localHour(ms: number, city: City): number {
  const local = ms + city.utcOffsetHours * HOUR_MS;
  return Math.floor(((local % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS);
}

export function localWeekday(ms: number, city: City): number {
  return new Date(ms + city.utcOffsetHours * HOUR_MS).getUTCDay();
}

/** A time in [from, from + span) drawn by the daily rhythm of `city` (rejection sampling). */
export function rhythmicTime(rng: Rng, from: number, span: number, city: City): number {
  for (let tries = 0; tries < 32; tries++) {
    const t = from + Math.floor(rng.next() * span);
    if (rng.next() * MAX_ACTIVITY < (HOURLY_ACTIVITY[localHour(t, city)] as number)) return t;
  }
  return from + Math.floor(rng.next() * span);
}
