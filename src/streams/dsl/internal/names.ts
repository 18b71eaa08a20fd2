import { VigilError } from '../../errors.js';

const LEGAL = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Checks a user-given DSL name when it is given, not when the topology
 * first runs: names become node names, store directories and parts of
 * topic names, so they keep to Kafka's topic alphabet (as Kafka Streams'
 * `Named` does).
 */
export function legalName(name: string, what: string): string {
  if (typeof name !== 'string' || !LEGAL.test(name) || name === '.' || name === '..') {
    throw new VigilError(
      'VIGIL_ERR_TOPOLOGY',
      `${what} name ${JSON.stringify(name)} is illegal: use 1-249 ASCII letters, digits, '.', '_' or '-' (it can become part of a topic or directory name)`,
    );
  }
  return name;
}
