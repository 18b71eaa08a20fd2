/**
 * One error family for the engine and everything built on it. Every error
 * is a {@link VigilError}: a stable `code` from its module's table, the
 * `cause` when there was one, whether retrying may help (`canRetry`), and
 * the task it happened in when there was one. Messages say what to do next.
 *
 * Each module keeps its own `as const` table of codes with one line of
 * meaning each (the engine's is {@link ErrorCodes}); docs/errors.md is
 * generated from those tables (`npm run docs:errors`) and a test keeps it so.
 * An application module subclasses VigilError with its own table:
 * `class ClusterError extends VigilError<ClusterErrorCode> {}`.
 */
export const ErrorCodes = {
  VIGIL_ERR_CONFIG: 'Configuration is invalid.',
  VIGIL_ERR_TOPOLOGY: 'The topology is invalid (unknown parent, duplicate name, missing store...).',
  VIGIL_ERR_SERDE: "A record could not be serialized or deserialized, or its writer's schema cannot be read as the reader's type (docs/schema-registry.md).",
  VIGIL_ERR_DESERIALIZATION: 'A consumed record could not be deserialized.',
  VIGIL_ERR_PROCESSING: 'A processor threw while handling a record.',
  VIGIL_ERR_PRODUCTION: 'A record could not be produced.',
  VIGIL_ERR_STATE_STORE: 'A state store operation failed.',
  VIGIL_ERR_STORE_CLOSED: 'A state store was used after it was closed.',
  VIGIL_ERR_STORE_NOT_FOUND: 'A processor asked for a store it is not connected to.',
  VIGIL_ERR_ILLEGAL_STATE: 'An operation was called in a state that does not allow it.',
  VIGIL_ERR_COPARTITIONING: 'Joined topics do not have the same number of partitions.',
  VIGIL_ERR_REGISTRY: 'The schema registry rejected a request, could not be reached (for a schema lookup: within `lookupTimeoutMs`), or served a schema that is neither `.proto` text nor a base64 descriptor.',
  VIGIL_ERR_UNKNOWN_SCHEMA: 'The schema id in a record is not known to the registry (it answered 404 when the id was looked up).',
  VIGIL_ERR_WIRE_FORMAT: 'Bytes are not in the Confluent wire format.',
  VIGIL_ERR_KAFKA_AUTH: 'Kafka rejected the SASL credentials: check `VIGIL_KAFKA_SASL_USERNAME`, the password (`VIGIL_KAFKA_SASL_PASSWORD[_FILE]`), the mechanism and that the user exists (see docs/security.md).',
  VIGIL_ERR_KAFKA_TLS: 'The TLS handshake with a broker failed: give the CA (`VIGIL_KAFKA_TLS_CA_FILE`), check the certificate\'s host name and that the listener speaks TLS.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface VigilErrorOptions {
  cause?: unknown;
  taskId?: string;
  /** Whether retrying the same operation may succeed. */
  canRetry?: boolean;
}

/** A module's table of codes: each code with one line saying what it means. */
export type ErrorCodeTable = { readonly [code: `VIGIL_ERR_${string}`]: string };

export class VigilError<C extends string = string> extends Error {
  readonly code: C;
  readonly taskId: string | undefined;
  readonly canRetry: boolean;

  // NoInfer: a subclass's table types its codes. The engine's own `new VigilError(…)` takes any
  // string; test/docs/error-codes.test.ts fails on a code that is in no table.
  constructor(code: NoInfer<C>, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.taskId = options.taskId;
    this.canRetry = options.canRetry ?? false;
  }
}

/** Any error of the family (any module), or, with `code`, one with that code. */
export function isVigilError(err: unknown, code?: string): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}
