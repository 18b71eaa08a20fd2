/** What the harness tells a system-under-test child process (JSON in argv[2]). */
export interface SutConfig {
  brokers: string[];
  registryUrl: string;
  applicationId: string;
  guarantee: 'at_least_once' | 'exactly_once';
  topics: { transactions: string; userProfiles: string; alerts: string; deadLetter: string };
  stateDir: string;
  commitIntervalMs: number;
  /** Kafka Streams only: its producer's linger.ms (Vigil's producer does not linger; default 0 to match). */
  lingerMs?: number;
  /** Whether the system runs the dedupe step (1 h window by transaction id, before any card state). Default true. */
  dedupe?: boolean;
  /** Vigil only: the project root whose src/ to run (a --compare worktree); default this checkout. */
  srcRoot?: string;
  /** Ceiling only: report once this many records were consumed (backlog phase). */
  expect?: number;
  /** Ceiling only: note the time when this many records were consumed, by name (warm-up, then warm-up + backlog). */
  marks?: Record<string, number>;
  /** Vigil only: where to write its commit-duration summary when it stops. */
  statsFile?: string;
}

/** The line a child prints once it processes records. */
export const READY_LINE = 'RUNNING';
