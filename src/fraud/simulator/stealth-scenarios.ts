import { category, CATEGORIES, type Category } from './catalog.js';
import { CITIES_BY_REGION, type City } from './geo.js';
import type { PendingTransaction } from './events.js';
import type { FraudScenario } from './options.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SimUser } from './population.js';
import type { IncidentContext } from './scenarios.js';
import type { Rng } from './rng.js';
import { payment } from './traffic.js';

/**
 * Stealthier fraud than the classic five: nothing here is tiny-then-huge,
 * in an unknown category or across the country in minutes. Fraudsters who
 * know the card's habits spend like its holder. These exist to measure how
 * the model does on fraud it was not shaped around (leave-one-scenario-out),
 * so none of them is in the default scenario list.
 */

const fraud = (scenario: FraudScenario, tx: PendingTransaction['tx']): PendingTransaction => ({ tx, label: true, scenario });

/** The user's own categories that can be bought online, or everyday online ones when there are none. */
function familiarOnline(user: SimUser): Category[] {
  const own = user.categories.filter((c) => c.online && c.name !== 'gambling' && c.name !== 'money_transfer');
  return own.length > 0 ? own : [category('online_retail'), category('digital_goods')];
}

function familiarInPerson(user: SimUser): Category[] {
  const own = user.categories.filter((c) => !c.online && c.name !== 'atm' && c.baseAmount < 100);
  return own.length > 0 ? own : [category('grocery')];
}

/** About what the holder pays in `cat`: the fraudster stays under the radar. */
function typicalAmount(rng: Rng, user: SimUser, cat: Category, low: number, high: number): number {
  return (user.typicalSpend.get(cat.name) ?? cat.baseAmount) * rng.between(low, high);
}

function nearbyCity(rng: Rng, home: City): City {
  const pool = CITIES_BY_REGION[home.region].filter((c) => c !== home);
  return pool.length > 0 ? rng.pick(pool) : home;
}

/** Card details bought online: a few payments of the holder's usual size, in the holder's categories, over some hours. */
function smallFamiliar({ rng, user, t0, merchants, incident }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const card = user.cards[0] as string;
  const device = `d-sf-${incident}`;
  const where = nearbyCity(rng, user.homeCity);
  let t = t0;
  const count = rng.int(2, 5);
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.6)) {
      const cat = rng.pick(familiarOnline(user));
      const merchant = rng.pick(merchants.online(cat));
      out.push(fraud('small_familiar', payment(rng, { t, user, merchant, city: where, amount: typicalAmount(rng, user, cat, 0.6, 1.6), channel: 'CHANNEL_ONLINE', device, card })));
    } else {
      // A cloned card in the holder's own city, at the kind of shop the holder uses.
      const cat = rng.pick(familiarInPerson(user));
      const merchant = rng.pick(merchants.in(user.homeCity, cat));
      out.push(fraud('small_familiar', payment(rng, { t, user, merchant, city: user.homeCity, amount: typicalAmount(rng, user, cat, 0.6, 1.6), channel: 'CHANNEL_CARD_PRESENT', device: '', card })));
    }
    t += rng.int(20, 240) * MINUTE_MS;
  }
  return out;
}

/** One or two ordinary-looking online payments a day for a week: no burst to see. */
function slowBurn({ rng, user, t0, merchants, incident }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const card = user.cards[0] as string;
  const device = `d-sb-${incident}`;
  const where = nearbyCity(rng, user.homeCity);
  const days = rng.int(4, 8);
  for (let d = 0; d < days; d++) {
    const perDay = rng.int(1, 2);
    for (let i = 0; i < perDay; i++) {
      const t = t0 + d * DAY_MS + rng.int(0, 14 * 60) * MINUTE_MS;
      const cat = rng.pick(familiarOnline(user));
      const merchant = rng.pick(merchants.online(cat));
      out.push(fraud('slow_burn', payment(rng, { t, user, merchant, city: where, amount: typicalAmount(rng, user, cat, 0.8, 2.2), channel: 'CHANNEL_ONLINE', device, card })));
    }
  }
  return out;
}

/** A skimmed card emptied at ATMs around the holder's own city, late at night, over two nights. */
function cashOut({ rng, user, t0, merchants }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const card = user.cards[0] as string;
  const atm = category('atm');
  for (let night = 0; night < 2; night++) {
    let t = t0 + night * DAY_MS;
    const count = rng.int(2, 4);
    for (let i = 0; i < count; i++) {
      const merchant = rng.pick(merchants.in(user.homeCity, atm));
      out.push(fraud('cash_out', payment(rng, { t, user, merchant, city: user.homeCity, amount: rng.int(4, 10) * 50, channel: 'CHANNEL_ATM', device: '', card })));
      t += rng.int(6, 40) * MINUTE_MS;
    }
  }
  return out;
}

/** Two small checks at a familiar online shop, ordinary purchases, then one cash-out nearby. */
function mixedStealth({ rng, user, t0, merchants, incident }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const card = user.cards[0] as string;
  const device = `d-mx-${incident}`;
  const where = nearbyCity(rng, user.homeCity);
  let t = t0;
  const probe = rng.pick(familiarOnline(user));
  for (let i = 0; i < 2; i++) {
    out.push(fraud('mixed_stealth', payment(rng, { t, user, merchant: rng.pick(merchants.online(probe)), city: where, amount: rng.between(1, 6), channel: 'CHANNEL_ONLINE', device, card })));
    t += rng.int(2, 30) * MINUTE_MS;
  }
  t += rng.int(1, 6) * HOUR_MS;
  const buys = rng.int(1, 3);
  for (let i = 0; i < buys; i++) {
    const cat = rng.pick(familiarOnline(user));
    out.push(fraud('mixed_stealth', payment(rng, { t, user, merchant: rng.pick(merchants.online(cat)), city: where, amount: typicalAmount(rng, user, cat, 1, 3), channel: 'CHANNEL_ONLINE', device, card })));
    t += rng.int(10, 90) * MINUTE_MS;
  }
  const cashCat = rng.chance(0.5) ? category('atm') : rng.pick(CATEGORIES.filter((c) => c.name === 'retail' || c.name === 'electronics'));
  const merchant = rng.pick(merchants.in(where, cashCat));
  const channel = cashCat.name === 'atm' ? 'CHANNEL_ATM' : 'CHANNEL_CARD_PRESENT';
  out.push(fraud('mixed_stealth', payment(rng, { t: t + rng.int(1, 12) * HOUR_MS, user, merchant, city: where, amount: rng.between(200, 600), channel, device: '', card })));
  return out;
}

export const STEALTH_GENERATORS = {
  small_familiar: smallFamiliar,
  slow_burn: slowBurn,
  cash_out: cashOut,
  mixed_stealth: mixedStealth,
} as const satisfies Record<string, (ctx: IncidentContext) => PendingTransaction[]>;
