/** The topics the fraud topology reads and writes. */
export interface FraudTopics {
  /** Transactions keyed by card id. */
  readonly transactions: string;
  /** Compacted, keyed by user id. */
  readonly userProfiles: string;
  readonly alerts: string;
  /** Rejected and undecodable transactions, with `vigil.*` headers saying why. */
  readonly deadLetter: string;
  /** Feature vectors of every valid transaction (backfill/export, and for auditing). */
  readonly features: string;
}

export const DEFAULT_FRAUD_TOPICS: FraudTopics = Object.freeze({
  transactions: 'transactions',
  userProfiles: 'user-profiles',
  alerts: 'alerts',
  deadLetter: 'transactions.dlq',
  features: 'transaction-features',
});
