/**
 * The fraud data simulator: seeded, repeatable synthetic payment histories
 * with labelled fraud scenarios. Start at {@link simulate}.
 */
export { simulate, simulateAll, type IncidentSummary, type Simulation } from './simulate.js';
export type { LabelledTransaction } from './events.js';
export {
  DEFAULT_FRAUD_RATE,
  ALL_SCENARIOS,
  FRAUD_SCENARIOS,
  STEALTH_SCENARIOS,
  resolveSimulateOptions,
  type FraudScenario,
  type ResolvedSimulateOptions,
  type Scenario,
  type SimulateOptions,
} from './options.js';
export { FraudDataError, FraudDataErrorCodes, type FraudDataErrorCode } from './errors.js';
export { createRng, mixSeed, type Rng } from './rng.js';
export { CITIES, haversineKm, type City, type Region } from './geo.js';
export { CATEGORIES, type Category } from './catalog.js';
export { FIXTURE_FILES, FIXTURE_FORMAT, type FixtureManifest } from './fixture-format.js';
export { writeFixture, type WriteFixtureOptions } from './fixture-writer.js';
export { readLabelledTransactions, readManifest, readProfiles, readTransactionsPb } from './fixture-reader.js';
export { NO_SHIFT, ODDITIES, resolveShift, type Oddity, type ResolvedShift, type ShiftOptions } from './shift.js';
export { SHIFT_PRESETS, type ShiftPreset } from './shift-presets.js';
export { labelArrivalMs, observedLabel } from './labels.js';
