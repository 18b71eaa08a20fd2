/**
 * The engine's one error family. Every error carries a stable `code` from
 * the table below, an optional `cause`, and the task it happened in when
 * there was one. Messages say what to do next.
 */
export const ErrorCodes = {
  VIGIL_ERR_CONFIG: 'Configuration is invalid.',
  VIGIL_ERR_TOPOLOGY: 'The topology is invalid (unknown parent, duplicate name, missing store...).',
  VIGIL_ERR_SERDE: 'A record could not be serialized or deserialized.',
  VIGIL_ERR_DESERIALIZATION: 'A consumed record could not be deserialized.',
  VIGIL_ERR_PROCESSING: 'A processor threw while handling a record.',
  VIGIL_ERR_PRODUCTION: 'A record could not be produced.',
  VIGIL_ERR_STATE_STORE: 'A state store operation failed.',
  VIGIL_ERR_STORE_CLOSED: 'A state store was used after it was closed.',
  VIGIL_ERR_STORE_NOT_FOUND: 'A processor asked for a store it is not connected to.',
  VIGIL_ERR_ILLEGAL_STATE: 'An operation was called in a state that does not allow it.',
  VIGIL_ERR_COPARTITIONING: 'Joined topics do not have the same number of partitions.',
  VIGIL_ERR_TASK_MIGRATED: 'A task moved to another instance during processing.',
  VIGIL_ERR_REGISTRY: 'The schema registry rejected a request or could not be reached.',
  VIGIL_ERR_UNKNOWN_SCHEMA: 'The schema id in a record is not known to the registry.',
  VIGIL_ERR_WIRE_FORMAT: 'Bytes are not in the Confluent wire format.',
  VIGIL_ERR_KAFKA_AUTH: 'Kafka rejected the SASL credentials (wrong user, password or mechanism).',
  VIGIL_ERR_KAFKA_TLS: 'The TLS handshake with a Kafka broker failed (untrusted certificate, wrong host name, not a TLS listener).',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface VigilErrorOptions {
  cause?: unknown;
  taskId?: string;
  /** Whether retrying the same operation may succeed. */
  canRetry?: boolean;
}

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly taskId: string | undefined;
  readonly canRetry: boolean;

  constructor(code: ErrorCode, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.taskId = options.taskId;
    this.canRetry = options.canRetry ?? false;
  }
}

export function isVigilError(err: unknown, code?: ErrorCode): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}
