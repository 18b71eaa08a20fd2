/**
 * What the feature processor remembers about one card between its
 * transactions, kept in the `fraud-card-state` key-value store. Plain JSON so
 * the changelog stays readable; bounded lists keep a card's entry small
 * however long it lives.
 */
export interface CardState {
  /** Transactions seen on the card. */
  readonly count: number;
  /** Running mean and sum of squared deviations of amounts (Welford), major units. */
  readonly meanAmount: number;
  readonly m2Amount: number;
  readonly totalAmount: number;
  readonly firstEventMs: number;
  /** The latest transaction by event time. */
  readonly lastEventMs: number;
  /**
   * Where the cardholder last was, as far as known: the latest transaction
   * by event time that had a position (see `payerPosition`), and when.
   * `lastPositionMs` is -1 while no position is known.
   */
  readonly lastPositionMs: number;
  readonly lastLatitude: number;
  readonly lastLongitude: number;
  readonly lastRegion: string;
  /** Seen devices, merchants and category groups, most recent last. */
  readonly devices: readonly string[];
  readonly merchants: readonly string[];
  readonly categories: readonly string[];
}

/** How many devices and merchants a card remembers (the oldest are forgotten first). */
export const CARD_MEMORY_LIMITS = { devices: 32, merchants: 512 } as const;

export interface Position {
  readonly latitude: number;
  readonly longitude: number;
}

/** What `nextCardState` needs to know about the transaction just seen. */
export interface SeenTransaction {
  readonly eventTimeMs: number;
  readonly amount: number;
  /** The cardholder's position, or undefined when the payment does not say (see `payerPosition`). */
  readonly position: Position | undefined;
  readonly region: string;
  readonly deviceId: string;
  readonly merchantId: string;
  readonly category: string;
}

/** The card's state after `tx`; `state` is undefined for a card's first transaction. */
export function nextCardState(state: CardState | undefined, tx: SeenTransaction): CardState {
  const count = (state?.count ?? 0) + 1;
  const previousMean = state?.meanAmount ?? 0;
  const meanAmount = previousMean + (tx.amount - previousMean) / count;
  const m2Amount = (state?.m2Amount ?? 0) + (tx.amount - previousMean) * (tx.amount - meanAmount);
  // An out-of-order transaction updates the statistics but not "the latest
  // transaction", so geo-velocity keeps measuring forward in event time.
  const isLatest = state === undefined || tx.eventTimeMs >= state.lastEventMs;
  const movesPosition = tx.position !== undefined && (state === undefined || tx.eventTimeMs >= state.lastPositionMs);
  return {
    count,
    meanAmount,
    m2Amount,
    totalAmount: (state?.totalAmount ?? 0) + tx.amount,
    firstEventMs: Math.min(state?.firstEventMs ?? tx.eventTimeMs, tx.eventTimeMs),
    lastEventMs: isLatest ? tx.eventTimeMs : state.lastEventMs,
    lastPositionMs: movesPosition ? tx.eventTimeMs : (state?.lastPositionMs ?? -1),
    lastLatitude: movesPosition ? tx.position.latitude : (state?.lastLatitude ?? 0),
    lastLongitude: movesPosition ? tx.position.longitude : (state?.lastLongitude ?? 0),
    lastRegion: isLatest ? tx.region : state.lastRegion,
    devices: tx.deviceId === '' ? [...(state?.devices ?? [])] : remember(state?.devices, tx.deviceId, CARD_MEMORY_LIMITS.devices),
    merchants: remember(state?.merchants, tx.merchantId, CARD_MEMORY_LIMITS.merchants),
    categories: remember(state?.categories, tx.category, Number.MAX_SAFE_INTEGER),
  };
}

/** `items` with `item` moved (or added) to the end, dropping the oldest beyond `limit`. */
function remember(items: readonly string[] | undefined, item: string, limit: number): string[] {
  const next = (items ?? []).filter((existing) => existing !== item);
  next.push(item);
  return next.length > limit ? next.slice(next.length - limit) : next;
}
