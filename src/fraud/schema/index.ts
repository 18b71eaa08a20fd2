// The vigil.v1 schema for the application: TS shapes, the parsed .proto, conversions.
export type {
  Alert,
  Channel,
  FeatureVector,
  GeoPoint,
  Reason,
  SourceCoordinates,
  Transaction,
  UserProfile,
  VigilMessageName,
  VigilMessages,
} from './types.js';
export { CHANNELS } from './types.js';
export { DECODE_OPTIONS, VIGIL_PROTO_PATH, parseVigilSchema, vigilSchema, type VigilSchema } from './vigil-schema.js';
export { decodeMessage, encodeMessage, normalizeMessage } from './convert.js';
