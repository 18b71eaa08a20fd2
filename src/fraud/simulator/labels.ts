import { createRng, mixSeed } from './rng.js';
import type { ResolvedShift } from './shift.js';

/**
 * When the label of a fraudulent payment reaches the training data: after a
 * chargeback or the holder's call, days later, and sometimes never (the
 * holder does not notice a small amount). A pure function of the seed and
 * the transaction's number, so an export and an evaluation agree on it.
 *
 * Returns the epoch ms when the label is known, or null when it never is.
 * Legitimate payments need no label: they are "not fraud" until told otherwise.
 */
export function labelArrivalMs(shift: ResolvedShift, seed: number, transactionId: string, eventTimeMs: number): number | null {
  if (shift.labelMissingShare === 0 && shift.labelDelayMeanHours === 0) return eventTimeMs;
  const n = Number(transactionId.slice(transactionId.lastIndexOf('-') + 1));
  const rng = createRng(mixSeed(seed, 40, Number.isFinite(n) ? n : 0));
  if (rng.chance(shift.labelMissingShare)) return null;
  const delayHours = -Math.log(1 - rng.next()) * shift.labelDelayMeanHours;
  return eventTimeMs + Math.round(delayHours * 3_600_000);
}

/** The label a model trained at `asOfMs` would see: fraud only once its label has arrived. */
export function observedLabel(label: boolean, arrivalMs: number | null, asOfMs: number): boolean {
  return label && arrivalMs !== null && arrivalMs <= asOfMs;
}
