import { describe, expect, it } from 'vitest';
import { toLogCreator } from '../../../src/streams/kafka/connection.js';
import type { ClientLogger } from '../../../src/streams/kafka/types.js';

// kafkajs' logLevel values (kafkajs itself may only be imported by the facade).
const ERROR = 1;
const WARN = 2;

function capture(): { logger: ClientLogger; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_obj: object, msg: string) => void lines.push({ level, msg });
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

function entry(level: number, message: string, extra: object = {}) {
  return { namespace: 'test', level, label: 'ERROR', log: { timestamp: '', message, ...extra } };
}

describe('kafkajs log routing', () => {
  it('logs the CONCURRENT_TRANSACTIONS retry that follows every commit at debug, not error', () => {
    const { logger, lines } = capture();
    const log = toLogCreator(logger)(ERROR);
    log(entry(ERROR, 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing'));
    log(entry(ERROR, 'Response GroupCoordinator(key: 10, version: 2)', { error: 'The group coordinator is not available' }));
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug']);
  });

  it('keeps other kafkajs errors at error level', () => {
    const { logger, lines } = capture();
    const log = toLogCreator(logger)(ERROR);
    log(entry(ERROR, 'Response Produce(key: 0, version: 7)', { error: 'The request included a message larger than the max message size the server will accept' }));
    log(entry(WARN, 'Connection timeout'));
    expect(lines).toEqual([
      { level: 'error', msg: 'Response Produce(key: 0, version: 7)' },
      { level: 'warn', msg: 'Connection timeout' },
    ]);
  });
});
