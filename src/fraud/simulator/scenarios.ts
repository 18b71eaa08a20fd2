import { CASH_OUT_CATEGORIES, category, CATEGORIES, type MerchantCatalog } from './catalog.js';
import { CITIES, CITIES_BY_REGION, otherRegion, type City } from './geo.js';
import type { PendingTransaction } from './events.js';
import type { FraudScenario } from './options.js';
import { HOUR_MS, MINUTE_MS, type SimUser } from './population.js';
import type { Rng } from './rng.js';
import { payment } from './traffic.js';
import { STEALTH_GENERATORS } from './stealth-scenarios.js';

/**
 * Fraud scenario generators. Each turns (victim, start time) into the
 * payments of one incident. Fraudulent payments are labelled with the
 * scenario; a legitimate payment that is part of the story (the real
 * cardholder's purchase in impossible travel) is labelled `normal`.
 */
export interface IncidentContext {
  rng: Rng;
  user: SimUser;
  /** When the incident starts. */
  t0: number;
  merchants: MerchantCatalog;
  /** Unique per incident, for fraudster device ids. */
  incident: number;
}

const fraud = (scenario: FraudScenario, tx: PendingTransaction['tx']): PendingTransaction => ({ tx, label: true, scenario });

function farCity(rng: Rng, from: City): City {
  return rng.pick(CITIES_BY_REGION[otherRegion(from.region)]);
}

/** Bursts of tiny online payments at merchants the card never used, often followed by one cash-out. */
function cardTesting({ rng, user, t0, merchants, incident }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const device = `d-fraud-${incident}`;
  const where = rng.pick(CITIES);
  const card = user.cards[0] as string;
  const testCats = [category('digital_goods'), category('online_retail'), category('gambling')];
  let t = t0;
  const burst = rng.int(6, 14);
  for (let i = 0; i < burst; i++) {
    const cat = rng.pick(testCats);
    const merchant = rng.pick(merchants.online(cat));
    const amount = rng.between(0.5, 2.99);
    out.push(fraud('card_testing', payment(rng, { t, user, merchant, city: where, amount, channel: 'CHANNEL_ONLINE', device, card })));
    t += rng.int(4_000, 90_000);
  }
  if (rng.chance(0.6)) {
    t += rng.int(5, 60) * MINUTE_MS;
    const merchant = rng.pick(merchants.online(category('electronics')));
    out.push(fraud('card_testing', payment(rng, { t, user, merchant, city: where, amount: rng.between(300, 1500), channel: 'CHANNEL_ONLINE', device, card })));
  }
  return out;
}

/** A new device logs in near home, then appears across the country, then spends big. */
function accountTakeover({ rng, user, t0, merchants, incident }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const device = `d-ato-${incident}`;
  const card = user.cards[0] as string;
  const home = user.homeCity;
  const far = farCity(rng, home);
  const online = (name: string) => rng.pick(merchants.online(category(name)));
  let t = t0;
  out.push(fraud('account_takeover', payment(rng, { t, user, merchant: online('digital_goods'), city: home, amount: rng.between(3, 30), channel: 'CHANNEL_ONLINE', device, card })));
  t += rng.int(10, 90) * MINUTE_MS;
  out.push(fraud('account_takeover', payment(rng, { t, user, merchant: online('online_retail'), city: far, amount: rng.between(40, 250), channel: 'CHANNEL_ONLINE', device, card })));
  const big = rng.int(2, 5);
  for (let i = 0; i < big; i++) {
    t += rng.int(5, 50) * MINUTE_MS;
    const merchant = online(rng.pick(['electronics', 'money_transfer', 'jewelry', 'airlines']));
    out.push(fraud('account_takeover', payment(rng, { t, user, merchant, city: far, amount: rng.between(700, 3200), channel: 'CHANNEL_ONLINE', device, card })));
  }
  return out;
}

/** The cardholder pays at home; minutes later a cloned card is swiped in the other region. */
function impossibleTravel({ rng, user, t0, merchants }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const home = user.homeCity;
  const card = user.cards[0] as string;
  const inPerson = CATEGORIES.filter((c) => !c.online && c.name !== 'atm');
  // The anchor is the real cardholder, in person, at home: legitimate.
  const anchorCat = rng.pick(inPerson.filter((c) => user.typicalSpend.has(c.name)).concat(category('grocery')));
  const anchorMerchant = rng.pick(merchants.in(home, anchorCat));
  const anchorAmount = (user.typicalSpend.get(anchorCat.name) ?? anchorCat.baseAmount) * rng.logNormal(0, 0.3);
  out.push({
    tx: payment(rng, { t: t0, user, merchant: anchorMerchant, city: home, amount: anchorAmount, channel: 'CHANNEL_CARD_PRESENT', device: '', card }),
    label: false,
    scenario: 'normal',
  });
  const far = farCity(rng, home);
  let t = t0 + rng.int(2, 25) * MINUTE_MS;
  const clones = rng.int(1, 4);
  for (let i = 0; i < clones; i++) {
    const cat = rng.pick([category('electronics'), category('retail'), category('atm'), category('clothing')]);
    const merchant = rng.pick(merchants.in(far, cat));
    const channel = cat.name === 'atm' ? 'CHANNEL_ATM' : 'CHANNEL_CARD_PRESENT';
    out.push(fraud('impossible_travel', payment(rng, { t, user, merchant, city: far, amount: rng.between(80, 900), channel, device: '', card })));
    t += rng.int(3, 30) * MINUTE_MS;
  }
  return out;
}

/** Big spending, with the user's own card and device, in a category the user never buys in. */
function mccAnomaly({ rng, user, t0, merchants }: IncidentContext): PendingTransaction[] {
  const unused = CASH_OUT_CATEGORIES.map((n) => category(n)).filter((c) => !user.typicalSpend.has(c.name));
  const pool = unused.length > 0 ? unused : CATEGORIES.filter((c) => !user.typicalSpend.has(c.name));
  const cat = rng.pick(pool.length > 0 ? pool : [category('jewelry')]);
  const typicalMax = Math.max(...user.typicalSpend.values(), 20);
  const card = user.cards[0] as string;
  const out: PendingTransaction[] = [];
  let t = t0;
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const merchant = cat.online ? rng.pick(merchants.online(cat)) : rng.pick(merchants.in(user.homeCity, cat));
    const amount = Math.max(450, typicalMax * rng.between(4, 12));
    out.push(fraud('mcc_anomaly', payment(rng, { t, user, merchant, city: user.homeCity, amount, card })));
    t += rng.int(8, 70) * MINUTE_MS;
  }
  return out;
}

/** The max-out at the end of a bust-out: many large payments within hours. The slow climb before it is in the everyday traffic. */
function bustOut({ rng, user, t0, merchants }: IncidentContext): PendingTransaction[] {
  const out: PendingTransaction[] = [];
  const cats = ['electronics', 'jewelry', 'retail', 'money_transfer', 'clothing', 'online_retail'].map((n) => category(n));
  let t = t0;
  const count = rng.int(5, 10);
  for (let i = 0; i < count; i++) {
    const cat = rng.pick(cats);
    const merchant = cat.online ? rng.pick(merchants.online(cat)) : rng.pick(merchants.in(user.homeCity, cat));
    out.push(fraud('bust_out', payment(rng, { t, user, merchant, city: user.homeCity, amount: rng.between(800, 4500) })));
    t += rng.int(4, 40) * MINUTE_MS;
  }
  return out;
}

export const SCENARIO_GENERATORS: Readonly<Record<FraudScenario, (ctx: IncidentContext) => PendingTransaction[]>> = {
  card_testing: cardTesting,
  account_takeover: accountTakeover,
  impossible_travel: impossibleTravel,
  mcc_anomaly: mccAnomaly,
  bust_out: bustOut,
  ...STEALTH_GENERATORS,
};

/** How long before its max-out a bust-out's spending starts to climb, at most. */
export const BUST_OUT_RAMP_MS = 10 * 24 * HOUR_MS;
