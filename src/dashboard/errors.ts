import { VigilError } from '../streams/index.js';

/** The dashboard's error codes; docs/errors.md is generated from this table. */
export const DashboardErrorCodes = {
  VIGIL_ERR_DASHBOARD_CONFIG: 'The dashboard configuration is invalid: a token shorter than 16 characters, no receiver secret, or a bad port.',
  VIGIL_ERR_DASHBOARD_PAYLOAD: 'A verified webhook did not carry a `fraud.alert` body (answered 400).',
} as const;

export type DashboardErrorCode = keyof typeof DashboardErrorCodes;

export class DashboardError extends VigilError<DashboardErrorCode> {}
