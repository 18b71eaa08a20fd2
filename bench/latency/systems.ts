/** What the harness tells a system-under-test child process (JSON in argv[2]). */
export interface SutConfig {
  brokers: string[];
  registryUrl: string;
  applicationId: string;
  guarantee: 'at_least_once' | 'exactly_once';
  topics: { transactions: string; userProfiles: string; alerts: string; deadLetter: string };
  stateDir: string;
  commitIntervalMs: number;
  /** Ceiling only: report once this many records were consumed (backlog phase). */
  expect?: number;
  /** Vigil only: where to write its commit-duration summary when it stops. */
  statsFile?: string;
}

/** The line a child prints once it processes records. */
export const READY_LINE = 'RUNNING';
