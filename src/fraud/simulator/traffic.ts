import type { Channel, Transaction } from '../schema/types.js';
import { channelFor, type Category, type Merchant, type MerchantCatalog } from './catalog.js';
import { jitter, type City } from './geo.js';
import type { PendingTransaction } from './events.js';
import type { SimUser } from './population.js';
import type { Rng } from './rng.js';

/** A legitimate trip: the user is in `city` from arrival until the return flight. */
export interface Trip {
  city: City;
  departMs: number;
  arriveMs: number;
  returnDepartMs: number;
  returnArriveMs: number;
}

/** Where the user is at `t`: a city, or null while on a plane (no payments then). */
export function locate(user: SimUser, trips: readonly Trip[] | undefined, t: number): City | null {
  if (trips) {
    for (const trip of trips) {
      if (t < trip.departMs || t >= trip.returnArriveMs) continue;
      if (t >= trip.arriveMs && t < trip.returnDepartMs) return trip.city;
      return null;
    }
  }
  return user.homeCity;
}

export function amountMinor(major: number): number {
  return Math.max(1, Math.round(major * 100));
}

/** The user's card for a payment: mostly the first. */
export function cardOf(rng: Rng, user: SimUser): string {
  return user.cards.length > 1 && rng.chance(0.25) ? (user.cards[1] as string) : (user.cards[0] as string);
}

/** The device a legitimate payment carries: the user's own for online and contactless, none for chip or ATM. */
export function deviceFor(rng: Rng, user: SimUser, channel: Channel): string {
  if (channel !== 'CHANNEL_ONLINE' && channel !== 'CHANNEL_CONTACTLESS') return '';
  return user.devices.length > 1 && rng.chance(0.2) ? (user.devices[1] as string) : (user.devices[0] as string);
}

/** A merchant of `cat` for a user who is in `city`: regulars at home, strangers when away or exploring. */
export function merchantFor(rng: Rng, user: SimUser, cat: Category, city: City, merchants: MerchantCatalog): Merchant {
  const atHome = city === user.homeCity;
  const favs = user.favorites.get(cat.name);
  if ((atHome || cat.online) && favs && favs.length > 0 && rng.chance(0.82)) return rng.pick(favs);
  return rng.pick(cat.online ? merchants.online(cat) : merchants.in(city, cat));
}

export interface PaymentSpec {
  t: number;
  user: SimUser;
  merchant: Merchant;
  /**
   * Where the payer is. Online payments carry the payer's position in latitude/longitude and
   * payer_location, and the merchant's in merchant_location; others the terminal's (the merchant's).
   */
  city: City;
  amount: number;
  channel?: Channel;
  device?: string;
  card?: string;
}

/** Builds one transaction from a spec, filling the usual defaults. */
export function payment(rng: Rng, spec: PaymentSpec): Transaction {
  const { user, merchant, city } = spec;
  const channel = spec.channel ?? channelFor(rng, merchant.category);
  const online = channel === 'CHANNEL_ONLINE';
  const home = city === user.homeCity;
  const at = online
    ? home
      ? jitter(rng, user.homeLat, user.homeLon, 3)
      : jitter(rng, city.lat, city.lon, 10)
    : { lat: merchant.lat, lon: merchant.lon };
  // transaction_id first and always present keeps every transaction the same object shape (fast).
  const tx: Transaction = {
    transaction_id: '',
    card_id: spec.card ?? cardOf(rng, user),
    user_id: user.profile.user_id,
    amount_minor: amountMinor(spec.amount),
    currency: 'USD',
    merchant_id: merchant.id,
    mcc: merchant.category.mcc,
    latitude: at.lat,
    longitude: at.lon,
    device_id: spec.device ?? deviceFor(rng, user, channel),
    channel,
    region: city.region,
    event_time_ms: spec.t,
  };
  // The located fields as a processor with device geolocation would send them. They
  // draw nothing from the RNG, so every other field is what it was before they existed.
  if (online) {
    tx.merchant_location = { latitude: merchant.lat, longitude: merchant.lon, accuracy_m: 0 };
    tx.payer_location = { latitude: at.lat, longitude: at.lon, accuracy_m: home ? PAYER_ACCURACY_HOME_M : PAYER_ACCURACY_AWAY_M };
  } else {
    tx.terminal_location = { latitude: merchant.lat, longitude: merchant.lon, accuracy_m: 0 };
  }
  return tx;
}

/** The jitter radius of the simulated payer position (3 km at home, 10 km away), stated as its accuracy. */
const PAYER_ACCURACY_HOME_M = 3_000;
const PAYER_ACCURACY_AWAY_M = 10_000;

/**
 * One everyday purchase at `t`. `scale` multiplies the amount (a bust-out
 * ramp raises it slowly).
 */
export function everydayPurchase(
  rng: Rng,
  user: SimUser,
  city: City,
  t: number,
  merchants: MerchantCatalog,
  scale = 1,
): PendingTransaction {
  const cat = user.categories[rng.weighted(user.categoryWeights)] as Category;
  const merchant = merchantFor(rng, user, cat, city, merchants);
  const typical = user.typicalSpend.get(cat.name) ?? cat.baseAmount;
  const amount = typical * rng.logNormal(0, 0.45) * scale;
  return { tx: payment(rng, { t, user, merchant, city, amount }), label: false, scenario: 'normal' };
}
