import { VigilError } from '../streams/index.js';

/** Error codes of the local cluster manager; each message says what to do next. */
export const ClusterErrorCodes = {
  VIGIL_ERR_JAVA_MISSING: 'No suitable Java was found.',
  VIGIL_ERR_MAVEN_MISSING: 'Maven (mvn) was not found.',
  VIGIL_ERR_FETCH_FAILED: 'Maven could not fetch the Kafka or Apicurio artifacts.',
  VIGIL_ERR_START_TIMEOUT: 'A JVM did not become ready within its timeout.',
  VIGIL_ERR_PROCESS_EXITED: 'A JVM exited during start-up.',
  VIGIL_ERR_PORT_IN_USE: 'A port the cluster needs is taken by another process.',
  VIGIL_ERR_NO_MIRROR: 'The topology has no MirrorMaker 2 to restart.',
} as const;

export type ClusterErrorCode = keyof typeof ClusterErrorCodes;

export class ClusterError extends VigilError<ClusterErrorCode> {}

/** Appended to every "missing tool" message. */
export const USE_EXISTING_CLUSTER_HINT =
  'Or point Vigil at a cluster you already run: set KAFKA_BROKERS=host:port[,host:port] ' +
  'and SCHEMA_REGISTRY_URL=http://host:port/apis/ccompat/v7.';
