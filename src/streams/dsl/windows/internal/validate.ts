import { VigilError } from '../../../errors.js';

/**
 * Window parameters are milliseconds. They are checked once, when the
 * definition is built, so a topology never starts with a window that
 * cannot hold a record.
 */
export function requireNonNegativeMs(what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `${what} must be a non-negative whole number of milliseconds, got ${String(ms)}; pass a value such as 60_000.`,
    );
  }
  return ms;
}

export function requirePositiveMs(what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `${what} must be a positive whole number of milliseconds, got ${String(ms)}; pass a value such as 60_000.`,
    );
  }
  return ms;
}

export function requireIntegerMs(what: string, ms: number): number {
  if (!Number.isSafeInteger(ms)) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `${what} must be a whole number of milliseconds, got ${String(ms)}.`,
    );
  }
  return ms;
}
