import type { UserProfile } from '../schema/types.js';
import { buildMerchants, category, type MerchantCatalog } from './catalog.js';
import { CITIES, CITIES_BY_REGION, haversineKm, otherRegion, type City } from './geo.js';
import { byEventTime, type LabelledTransaction, type PendingTransaction } from './events.js';
import { resolveSimulateOptions, type FraudScenario, type ResolvedSimulateOptions, type SimulateOptions } from './options.js';
import { buildUser, DAY_MS, HOUR_MS, localWeekday, MINUTE_MS, rhythmicTime, WEEKDAY_FACTOR, type SimUser } from './population.js';
import { createRng, mixSeed, type Rng } from './rng.js';
import { BUST_OUT_RAMP_MS, SCENARIO_GENERATORS } from './scenarios.js';
import { everydayPurchase, locate, merchantFor, payment, type Trip } from './traffic.js';
import { applyShift, planDeviceChurn, planOddities } from './oddities.js';
import { NO_SHIFT } from './shift.js';

/**
 * A seeded synthetic payment history. Iterate it (as often as you like; each
 * pass regenerates the same sequence from the seed) to get every
 * transaction in event-time order; `profiles` is known up front.
 */
export interface Simulation extends Iterable<LabelledTransaction> {
  readonly options: ResolvedSimulateOptions;
  /** One profile per user, `u-000000`…; publish these to `user-profiles` before the transactions. */
  readonly profiles: readonly UserProfile[];
  /** Event-time range of the history: [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
  /** The fraud incidents placed, one per victim user, for reports and tests. */
  readonly incidents: readonly IncidentSummary[];
  /** Expected number of transactions (from the users' daily rates), for progress bars; the real count differs by a few percent. */
  readonly estimatedTransactions: number;
}

export interface IncidentSummary {
  scenario: FraudScenario;
  user_id: string;
  /** Event time of the incident's first payment (for bust-out: of the max-out). */
  start_ms: number;
}

interface Scheduled extends PendingTransaction {
  seq: number;
}

interface World {
  options: ResolvedSimulateOptions;
  merchants: MerchantCatalog;
  users: SimUser[];
  trips: Map<number, Trip[]>;
  /** Bust-out victims' climb: spending scales up from `from` to `to`. */
  ramps: Map<number, { from: number; to: number }>;
  /** Trip bookings and incident payments, bucketed by day index. */
  scheduled: Map<number, Scheduled[]>;
  incidents: IncidentSummary[];
  /** Device-churn days per user index (empty without churn). */
  churn: Map<number, number[]>;
}

/**
 * Simulates `users` cardholders over `days` days from `startMs`, across the
 * regions us-east and us-west, with labelled fraud incidents.
 *
 * ```ts
 * const sim = simulate({ seed: 42, users: 500, days: 7, startMs: Date.UTC(2026, 0, 5) });
 * publish(sim.profiles);
 * for (const { transaction, label, scenario } of sim) ... // event-time order
 * ```
 *
 * What is in it:
 * - Everyday traffic: each user has a home city, 1–2 cards, 1–2 devices, a
 *   daily rate, a set of spending categories with typical amounts (the
 *   profile's `typical_spend_by_category`) and regular merchants. Payments
 *   follow a local daily rhythm and weekly pattern. Some users travel
 *   (flight booked online, then payments in the destination city, possibly
 *   in the other region, after a realistic flight time).
 * - `device_id` is the user's phone/browser for online and contactless
 *   payments and empty for chip and ATM. Online payments carry the payer's
 *   location; in-person payments the merchant's. `region` is the region of
 *   the payer's location (the cluster the payment lands in).
 * - Fraud (label true, scenario tag): card_testing, account_takeover,
 *   impossible_travel, mcc_anomaly, bust_out; see scenarios.ts. A
 *   bust-out's slow climb (the days before its max-out) is the account
 *   holder's own spending and is labelled `normal`; only the max-out is
 *   labelled. `label === (scenario !== 'normal')` always holds.
 * - `transaction_id` is `tx-<seed>-<n>` with n counting in event-time order:
 *   unique, deterministic for a seed, distinct across seeds.
 *
 * Deterministic: the output is a pure function of the options (seeded RNG,
 * no wall clock). Throws VIGIL_ERR_SIMULATOR_OPTIONS on invalid options.
 */
export function simulate(options: SimulateOptions): Simulation {
  const world = buildWorld(resolveSimulateOptions(options));
  const { startMs, days } = world.options;
  return {
    options: world.options,
    profiles: world.users.map((u) => u.profile),
    startMs,
    endMs: startMs + days * DAY_MS,
    incidents: world.incidents,
    estimatedTransactions: Math.round(world.users.reduce((sum, u) => sum + u.dailyRate, 0) * days * 1.04),
    [Symbol.iterator]: () => transactions(world),
  };
}

/** The whole history in memory: convenient for tests and small sets. */
export function simulateAll(options: SimulateOptions): { profiles: UserProfile[]; transactions: LabelledTransaction[] } {
  const sim = simulate(options);
  return { profiles: [...sim.profiles], transactions: [...sim] };
}

function buildWorld(options: ResolvedSimulateOptions): World {
  const { seed, users: userCount, days, startMs } = options;
  const rng = createRng(mixSeed(seed, 1));
  const merchants = buildMerchants(createRng(mixSeed(seed, 2)));
  const users: SimUser[] = [];
  for (let i = 0; i < userCount; i++) users.push(buildUser(rng, i, startMs, merchants));
  const { shift } = options;
  if (Object.keys(shift.categoryMix).length > 0) {
    for (const u of users) u.categoryWeights = u.categoryWeights.map((w, i) => w * (shift.categoryMix[(u.categories[i] as { name: string }).name] ?? 1));
  }
  const churn = planDeviceChurn(seed, users, days, shift.deviceChurn);
  const world: World = { options, merchants, users, trips: new Map(), ramps: new Map(), scheduled: new Map(), incidents: [], churn };
  let seq = 0;
  const schedule = (p: PendingTransaction) => {
    const day = Math.floor((p.tx.event_time_ms - startMs) / DAY_MS);
    if (day < 0 || day >= days) return; // outside the history
    let list = world.scheduled.get(day);
    if (!list) world.scheduled.set(day, (list = []));
    list.push({ tx: p.tx, label: p.label, scenario: p.scenario, seq: seq++ });
  };
  const victims = placeIncidents(world, schedule);
  for (const user of users) {
    if (victims.has(user.index)) continue; // keeps incidents unambiguous: no trip overlaps an incident
    planTrips(rng, world, user, schedule);
  }
  if (Object.values(shift.oddities).some((rate) => rate > 0)) {
    const ctx = { seed, startMs, days, shift, merchants };
    for (const user of users) if (!victims.has(user.index)) planOddities(ctx, user, world.trips.get(user.index), schedule);
  }
  return world;
}

/** Chooses victims and writes their incidents; returns the victims' indexes. */
function placeIncidents(world: World, schedule: (p: PendingTransaction) => void): Set<number> {
  const { seed, users, days, startMs, fraudRate, scenarios } = world.options;
  const victims = new Set<number>();
  if (fraudRate === 0 || scenarios.length === 0) return victims;
  const rng = createRng(mixSeed(seed, 3));
  const count = Math.min(users, Math.max(scenarios.length, Math.round(users * fraudRate)));
  const span = days * DAY_MS;
  const mixed = fraudMixSequence(world.options.shift.fraudMix, scenarios, count);
  while (victims.size < count) {
    const index = rng.int(0, users - 1);
    if (victims.has(index)) continue;
    const k = victims.size;
    victims.add(index);
    const user = world.users[index] as SimUser;
    const scenario = mixed[k] ?? (scenarios[k % scenarios.length] as FraudScenario);
    // Late enough that the card has some history, early enough to finish inside the window.
    const from = startMs + Math.floor(span * 0.3);
    const t0 = rhythmicTime(rng, from, Math.max(HOUR_MS, startMs + span - 8 * HOUR_MS - from), user.homeCity);
    if (scenario === 'bust_out') {
      world.ramps.set(index, { from: Math.max(startMs, t0 - BUST_OUT_RAMP_MS), to: t0 });
    }
    const payments = SCENARIO_GENERATORS[scenario]({ rng: createRng(mixSeed(seed, 4, k)), user, t0, merchants: world.merchants, incident: k });
    for (const p of payments) schedule(p);
    world.incidents.push({ scenario, user_id: user.profile.user_id, start_ms: t0 });
  }
  return victims;
}

/**
 * The scenario of each incident under a fraud mix: largest-remainder
 * apportionment of `count` incidents by weight, interleaved, so a mix is
 * exact and needs no draws. Empty without a mix (round-robin applies).
 */
function fraudMixSequence(mix: Readonly<Record<string, number>>, scenarios: readonly FraudScenario[], count: number): FraudScenario[] {
  const weighted = scenarios.map((s) => ({ s, w: mix[s] ?? (Object.keys(mix).length > 0 ? 0 : 1) })).filter((x) => x.w > 0);
  if (Object.keys(mix).length === 0 || weighted.length === 0) return [];
  const total = weighted.reduce((sum, x) => sum + x.w, 0);
  const quotas = weighted.map((x) => ({ s: x.s, q: (count * x.w) / total, n: Math.floor((count * x.w) / total) }));
  let left = count - quotas.reduce((sum, x) => sum + x.n, 0);
  for (const x of [...quotas].sort((a, b) => b.q - b.n - (a.q - a.n))) if (left-- > 0) x.n++;
  const out: FraudScenario[] = [];
  while (out.length < count) for (const x of quotas) if (x.n-- > 0) out.push(x.s);
  return out;
}

/** Legitimate trips: about one start every 40 days per user, 1–4 nights, often to the other region. */
function planTrips(rng: Rng, world: World, user: SimUser, schedule: (p: PendingTransaction) => void): void {
  const { days, startMs } = world.options;
  const endMs = startMs + days * DAY_MS;
  let t = startMs;
  const trips: Trip[] = [];
  while (t < endMs) {
    // travelRate 1 divides by 1 (the draw is exactly as before); 0 means nobody travels.
    const travel = world.options.shift.travelRate;
    if (travel === 0) break;
    t += Math.floor((rng.between(0.5, 80) * DAY_MS) / travel);
    if (t >= endMs) break;
    const city = pickDestination(rng, user.homeCity);
    const flightMs = (haversineKm(user.homeCity.lat, user.homeCity.lon, city.lat, city.lon) / 750 + 1.5) * HOUR_MS;
    const departMs = t;
    const arriveMs = departMs + Math.round(flightMs);
    const returnDepartMs = arriveMs + rng.int(1, 4) * DAY_MS + rng.int(-4, 4) * HOUR_MS;
    const returnArriveMs = returnDepartMs + Math.round(flightMs);
    const trip: Trip = { city, departMs, arriveMs, returnDepartMs, returnArriveMs };
    trips.push(trip);
    // The flight is booked online from home a few days ahead; the hotel is paid on arrival.
    const airline = category('airlines');
    // Booked at home: after the previous trip's return, so its online location is where the user is.
    const previous = trips.at(-2);
    const booking = Math.max(departMs - rng.int(2, 14 * 24) * HOUR_MS, previous ? previous.returnArriveMs + HOUR_MS : -Infinity);
    schedule({
      tx: payment(rng, { t: booking, user, merchant: merchantFor(rng, user, airline, user.homeCity, world.merchants), city: user.homeCity, amount: airline.baseAmount * rng.logNormal(0, 0.4) }),
      label: false,
      scenario: 'normal',
    });
    const hotel = category('hotels');
    schedule({
      tx: payment(rng, { t: arriveMs + rng.int(30, 120) * MINUTE_MS, user, merchant: rng.pick(world.merchants.in(city, hotel)), city, amount: hotel.baseAmount * rng.logNormal(0, 0.4), channel: 'CHANNEL_CARD_PRESENT', device: '' }),
      label: false,
      scenario: 'normal',
    });
    t = returnArriveMs;
  }
  if (trips.length > 0) world.trips.set(user.index, trips);
}

function pickDestination(rng: Rng, home: City): City {
  const pool = rng.chance(0.55) ? CITIES_BY_REGION[otherRegion(home.region)] : CITIES.filter((c) => c.region === home.region && c !== home);
  return rng.pick(pool);
}

/** How far into a bust-out's climb `t` is: 0 before it (or without one), rising to 1 at the max-out. */
function climbAt(ramp: { from: number; to: number } | undefined, t: number): number {
  if (!ramp || t <= ramp.from) return 0;
  return Math.min(1, (t - ramp.from) / (ramp.to - ramp.from));
}

/** Day by day: everyday traffic plus the day's scheduled payments, sorted, numbered. */
function* transactions(world: World): Generator<LabelledTransaction> {
  const { seed, days, startMs } = world.options;
  const idPrefix = `tx-${seed}-`;
  let n = 0;
  for (let day = 0; day < days; day++) {
    const dayStart = startMs + day * DAY_MS;
    const rng = createRng(mixSeed(seed, 5, day));
    const batch: Scheduled[] = [];
    let seq = 0;
    for (const user of world.users) {
      const ramp = world.ramps.get(user.index);
      // A bust-out's climb raises both how often and how much the user spends.
      const weekday = WEEKDAY_FACTOR[localWeekday(dayStart + DAY_MS / 2, user.homeCity)] as number;
      const climbing = ramp !== undefined && dayStart < ramp.to; // after the max-out day the card is blocked anyway
      const rate = user.dailyRate * weekday * (1 + (climbing ? climbAt(ramp, dayStart + DAY_MS / 2) : 0)) * world.options.shift.rateScale;
      const count = rng.poisson(rate);
      const trips = world.trips.get(user.index);
      for (let i = 0; i < count; i++) {
        const t = rhythmicTime(rng, dayStart, DAY_MS, user.homeCity);
        if (ramp && t >= ramp.to) continue; // after the max-out the card is blocked
        const city = locate(user, trips, t);
        if (!city) continue; // in the air
        const p = everydayPurchase(rng, user, city, t, world.merchants, 1 + 1.6 * climbAt(ramp, t));
        batch.push({ tx: p.tx, label: p.label, scenario: p.scenario, seq: seq++ });
      }
    }
    // Scheduled payments are copied so that iterating the simulation twice hands out fresh objects.
    for (const s of world.scheduled.get(day) ?? []) batch.push({ tx: { ...s.tx }, label: s.label, scenario: s.scenario, seq: seq++ });
    batch.sort(byEventTime);
    const shift = world.options.shift;
    const shiftRng = shift === NO_SHIFT ? undefined : createRng(mixSeed(seed, 31, day));
    for (const p of batch) {
      p.tx.transaction_id = idPrefix + String(n++);
      if (shiftRng) {
        const index = Number(p.tx.user_id.slice(2));
        applyShift(p.tx, p.label, shift, shiftRng, day, world.users[index], world.churn.get(index));
      }
      yield { transaction: p.tx, label: p.label, scenario: p.scenario };
    }
  }
}
