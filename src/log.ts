import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The application's structured logger: JSON lines on stderr so stdout stays
 * free for command output. LOG_LEVEL overrides the level.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination(2));
}
