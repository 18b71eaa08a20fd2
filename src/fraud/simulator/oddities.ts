import type { Transaction } from '../schema/types.js';
import { CATEGORIES, type Category, type MerchantCatalog } from './catalog.js';
import { CITIES_BY_REGION } from './geo.js';
import type { PendingTransaction } from './events.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, rhythmicTime, type SimUser } from './population.js';
import { createRng, mixSeed, type Rng } from './rng.js';
import type { ResolvedShift } from './shift.js';
import { payment, type Trip } from './traffic.js';

/**
 * Legitimate behaviour that looks odd, and the per-payment parts of a
 * shift. Everything here draws from its own RNG streams (domains 30–39 of
 * `mixSeed`), so with no shift the simulation is unchanged.
 */

const normal = (tx: Transaction): PendingTransaction => ({ tx, label: false, scenario: 'normal' });

export interface OdditySchedule {
  readonly seed: number;
  readonly startMs: number;
  readonly days: number;
  readonly shift: ResolvedShift;
  readonly merchants: MerchantCatalog;
}

/**
 * Plans the legitimate oddities of one user (not a fraud victim, so each
 * incident stays unambiguous): first purchases in new categories, big
 * one-offs, a family member on the same card, salary-day sprees.
 */
export function planOddities(ctx: OdditySchedule, user: SimUser, trips: readonly Trip[] | undefined, schedule: (p: PendingTransaction) => void): void {
  const { oddities } = ctx.shift;
  const rng = createRng(mixSeed(ctx.seed, 30, user.index));
  const home = user.homeCity;
  const atHome = (t: number) => !trips || trips.every((trip) => t < trip.departMs || t >= trip.returnArriveMs);
  const dayTime = (day: number) => rhythmicTime(rng, ctx.startMs + day * DAY_MS, DAY_MS, home);
  const maxTypical = Math.max(...user.typicalSpend.values(), 20);
  for (let day = 0; day < ctx.days; day++) {
    if (rng.chance(oddities.new_category)) {
      // The first purchase in a category the profile knows nothing about: sized like a stranger's, not the user's.
      const fresh = CATEGORIES.filter((c) => !user.typicalSpend.has(c.name) && c.name !== 'gambling' && c.name !== 'money_transfer');
      const t = dayTime(day);
      if (fresh.length > 0 && atHome(t)) {
        const cat = rng.pick(fresh);
        schedule(normal(payment(rng, { t, user, merchant: merchantOf(rng, ctx.merchants, cat, user), city: home, amount: cat.baseAmount * rng.logNormal(0.2, 0.5) })));
      }
    }
    if (rng.chance(oddities.big_one_off)) {
      // A sofa, a laptop, a ring: many times the largest typical amount, own card, own device.
      const t = dayTime(day);
      if (atHome(t)) {
        const cat = rng.pick(CATEGORIES.filter((c) => ['electronics', 'jewelry', 'retail', 'online_retail', 'airlines', 'clothing'].includes(c.name)));
        schedule(normal(payment(rng, { t, user, merchant: merchantOf(rng, ctx.merchants, cat, user), city: home, amount: maxTypical * rng.between(4, 15) })));
      }
    }
    if (rng.chance(oddities.family_card)) {
      // A partner or child pays with the same card in a city nearby, the same day, from their own phone.
      const pool = CITIES_BY_REGION[home.region].filter((c) => c !== home);
      const city = pool.length > 0 ? rng.pick(pool) : home;
      let t = dayTime(day);
      const count = rng.int(1, 3);
      for (let i = 0; i < count; i++) {
        const cat = rng.pick(user.categories.filter((c) => !c.online && c.name !== 'atm').concat(CATEGORIES[0] as Category));
        const typical = user.typicalSpend.get(cat.name) ?? cat.baseAmount;
        schedule(normal(payment(rng, { t, user, merchant: rng.pick(ctx.merchants.in(city, cat)), city, amount: typical * rng.logNormal(0, 0.45), channel: 'CHANNEL_CONTACTLESS', device: `d-${user.profile.user_id.slice(2)}-fam` })));
        t += rng.int(10, 120) * MINUTE_MS;
      }
    }
    const dateOfMonth = new Date(ctx.startMs + day * DAY_MS + 12 * HOUR_MS).getUTCDate();
    if ((dateOfMonth === 1 || dateOfMonth === 15) && rng.chance(oddities.salary_day)) {
      const spree = rng.int(2, 5);
      for (let i = 0; i < spree; i++) {
        const t = dayTime(day);
        if (!atHome(t)) continue;
        const cat = user.categories[rng.weighted(user.categoryWeights)] as Category;
        const typical = user.typicalSpend.get(cat.name) ?? cat.baseAmount;
        schedule(normal(payment(rng, { t, user, merchant: merchantOf(rng, ctx.merchants, cat, user), city: home, amount: typical * rng.between(1, 3) })));
      }
    }
  }
}

function merchantOf(rng: Rng, merchants: MerchantCatalog, cat: Category, user: SimUser) {
  return rng.pick(cat.online ? merchants.online(cat) : merchants.in(user.homeCity, cat));
}

/** Days (from the start) on which each user switched to a new phone for good; none without churn. */
export function planDeviceChurn(seed: number, users: readonly SimUser[], days: number, churn: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (churn <= 0) return out;
  const rng = createRng(mixSeed(seed, 32));
  for (const user of users) {
    const switches: number[] = [];
    for (let day = 0; day < days; day++) if (rng.chance(churn)) switches.push(day);
    if (switches.length > 0) out.set(user.index, switches);
  }
  return out;
}

/**
 * The per-payment parts of a shift, applied as the day's payments are handed
 * out: amounts scaled (the profiles go stale), new phones after a switch, and
 * what an online payment says about where things are.
 */
export function applyShift(tx: Transaction, label: boolean, shift: ResolvedShift, rng: Rng, dayIndex: number, user: SimUser | undefined, churnDays: readonly number[] | undefined): void {
  if (!label && shift.amountScale !== 1) tx.amount_minor = Math.max(1, Math.round(tx.amount_minor * shift.amountScale));
  if (!label && churnDays && user && tx.device_id !== '' && user.devices.includes(tx.device_id)) {
    const switched = churnDays.filter((d) => d <= dayIndex).length;
    if (switched > 0) tx.device_id = `${user.devices[0] as string}-n${switched}`;
  }
  if (tx.channel !== 'CHANNEL_ONLINE') return;
  if (shift.payerLocationShare < 1 && !rng.chance(shift.payerLocationShare)) delete tx.payer_location;
  // Without the payer's position a sender has only the merchant's address to put in latitude/longitude.
  if ((shift.onlineLegacyPosition === 'merchant' || !tx.payer_location) && tx.merchant_location) {
    tx.latitude = tx.merchant_location.latitude;
    tx.longitude = tx.merchant_location.longitude;
  }
}
