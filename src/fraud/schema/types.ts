/**
 * TypeScript views of the `vigil.v1` messages in `proto/vigil/v1/vigil.proto`.
 *
 * Field names are the .proto names (snake_case; the schema is loaded with
 * `keepCase`), int64 fields are JavaScript numbers (epoch ms and cents stay
 * far below 2^53), and enums are their names. These are exactly the shapes
 * `protobufjs` produces with {@link DECODE_OPTIONS}, so a decoded message is
 * one of these without further mapping.
 */

/** The `vigil.v1.Channel` enum, by name. */
export const CHANNELS = [
  'CHANNEL_UNSPECIFIED',
  'CHANNEL_CARD_PRESENT',
  'CHANNEL_ONLINE',
  'CHANNEL_ATM',
  'CHANNEL_CONTACTLESS',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** One card payment, as the card processor saw it. */
export interface Transaction {
  transaction_id: string;
  card_id: string;
  user_id: string;
  /** Minor units (cents). */
  amount_minor: number;
  currency: string;
  merchant_id: string;
  /** ISO 18245 merchant category code. */
  mcc: number;
  /**
   * The legacy single position: the terminal for card-present, contactless
   * and ATM payments; for online ones the payer's device/IP position when the
   * sender knows it, else (from most processors) the merchant's address.
   * Prefer the three located fields below when present.
   */
  latitude: number;
  longitude: number;
  device_id: string;
  channel: Channel;
  /** `us-east` or `us-west`: the region whose cluster the payment first landed in. */
  region: string;
  /** Event time, epoch milliseconds. */
  event_time_ms: number;
  /** Card-present, contactless, ATM: the terminal's location. Absent when unknown. */
  terminal_location?: GeoPoint;
  /** Card-not-present: the merchant's registered location (not the payer's). */
  merchant_location?: GeoPoint;
  /** Card-not-present, only when known: the payer's device or IP geolocation. */
  payer_location?: GeoPoint;
}

/**
 * A WGS84 position. `accuracy_m` is the 68% radius in metres, 0 when the
 * sender gives none. Optional `GeoPoint` fields decode as absent (not null)
 * when unset, so messages from producers that predate them look unchanged.
 */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  accuracy_m: number;
}

/** Who owns a card; keyed by `user_id` on the compacted `user-profiles` topic. */
export interface UserProfile {
  user_id: string;
  card_ids: string[];
  home_latitude: number;
  home_longitude: number;
  home_region: string;
  account_created_ms: number;
  /** Typical amount in major units per category group, e.g. `grocery: 42.5`. */
  typical_spend_by_category: { [category: string]: number };
}

/** What the model sees for one transaction. */
export interface FeatureVector {
  transaction_id: string;
  card_id: string;
  user_id: string;
  event_time_ms: number;
  features: { [name: string]: number };
  label: boolean;
  scenario: string;
}

export interface Reason {
  feature: string;
  value: number;
  contribution: number;
  description: string;
}

export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: number;
}

export interface Alert {
  alert_id: string;
  transaction: Transaction | null;
  score: number;
  model_version: string;
  reasons: Reason[];
  source: SourceCoordinates | null;
}

/** Message name → its TypeScript shape, for typed lookups. */
export interface VigilMessages {
  'vigil.v1.Transaction': Transaction;
  'vigil.v1.UserProfile': UserProfile;
  'vigil.v1.FeatureVector': FeatureVector;
  'vigil.v1.Reason': Reason;
  'vigil.v1.SourceCoordinates': SourceCoordinates;
  'vigil.v1.Alert': Alert;
  'vigil.v1.GeoPoint': GeoPoint;
}

export type VigilMessageName = keyof VigilMessages;
