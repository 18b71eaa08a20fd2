import { FraudError } from '../errors.js';

/** The topics the fraud topology reads and writes. */
export interface FraudTopics {
  /** Transactions keyed by card id (the topology also reads a pattern: see `FraudTopologyOptions.topics`). */
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

/**
 * The regional transaction topics MirrorMaker 2 (DefaultReplicationPolicy)
 * writes on the central cluster: `<region>.transactions`. Anchored, so
 * `transactions.dlq`, central's own `transactions` and MM2's internal topics
 * never match.
 */
export function mirroredTopicPattern(regions: readonly string[], topic = 'transactions'): RegExp {
  if (regions.length === 0) throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', 'mirroredTopicPattern: name at least one region');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(${regions.map(escape).join('|')})\\.${escape(topic)}$`);
}

/** `^(us-east|us-west)\.transactions$`: what the engine reads on the central cluster of the multi-region topology. */
export const MIRRORED_TRANSACTIONS: RegExp = mirroredTopicPattern(['us-east', 'us-west']);
