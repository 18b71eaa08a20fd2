/**
 * Structured logging, structural so the engine needs no logging library
 * (pino's Logger satisfies it). Fields first, message second.
 */
export interface StreamsLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export const noopLogger: StreamsLogger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
};
