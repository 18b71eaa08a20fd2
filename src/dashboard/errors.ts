/** The dashboard's error codes; `docs/webhooks.md` documents each one. */
export const DashboardErrorCodes = {
  VIGIL_ERR_DASHBOARD_CONFIG: 'The dashboard configuration is invalid (token, secrets, port).',
  VIGIL_ERR_DASHBOARD_PAYLOAD: 'A verified webhook did not carry a fraud.alert body.',
} as const;

export type DashboardErrorCode = keyof typeof DashboardErrorCodes;

export class DashboardError extends Error {
  readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DashboardError';
    this.code = code;
  }
}
