/**
 * What a KTable node forwards: the new value and the value it replaced.
 * Downstream table operators need the old value to retract it (for
 * example an aggregate after a groupBy that changes a row's key).
 */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}
