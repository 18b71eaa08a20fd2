import { VigilError } from '../../errors.js';

export function storeClosedError(name: string): VigilError {
  return new VigilError(
    'VIGIL_ERR_STORE_CLOSED',
    `state store "${name}" is not open: call init() before using it, and do not use it after close()`,
  );
}

export function storeAlreadyOpenError(name: string): VigilError {
  return new VigilError(
    'VIGIL_ERR_ILLEGAL_STATE',
    `state store "${name}" is already open: a store instance belongs to one task; build a new one per task`,
  );
}
