import { describe, expect, it } from 'vitest';
import { continueOnDeserializationError } from '../../../src/streams/processor/exception-handlers.js';
import { uniqueName } from '../helpers.js';
import { createTopics, produce, readToEnd, startStreams, tempStateDir } from './helpers.js';
import { amounts } from './topologies.js';

describe.each(['at_least_once', 'exactly_once'] as const)('poison records on the broker (%s)', (guarantee) => {
  it('sends a malformed record to the dead-letter topic with its headers and keeps processing the partition', async () => {
    const topics = { payments: uniqueName('payments'), amounts: uniqueName('amounts'), dlq: uniqueName('dlq') };
    await createTopics(1, topics.payments, topics.amounts);
    const streams = await startStreams(amounts(topics), {
      applicationId: uniqueName('poison'),
      processingGuarantee: guarantee,
      stateDir: tempStateDir(),
      deserializationExceptionHandler: continueOnDeserializationError,
      deadLetterTopic: topics.dlq,
    });
    await streams.waitForState('RUNNING');
    await produce(topics.payments, [
      { key: 'a', value: '{"amount":10}' },
      { key: 'b', value: '{"amount":' },
      { key: 'c', value: '{"amount":30}' },
    ]);
    let out: Awaited<ReturnType<typeof readToEnd>> = [];
    for (let i = 0; i < 100 && out.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 200));
      out = await readToEnd(topics.amounts);
    }
    await streams.close();
    expect(out.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([
      ['a', '10'],
      ['c', '30'],
    ]);
    const dead = await readToEnd(topics.dlq);
    expect(dead).toHaveLength(1);
    const [letter] = dead;
    expect(letter?.key?.toString()).toBe('b');
    expect(letter?.value?.toString()).toBe('{"amount":');
    const header = (name: string): string | undefined => letter?.headers[name]?.toString();
    expect(header('vigil.error.code')).toBe('VIGIL_ERR_DESERIALIZATION');
    expect(header('vigil.error.message')).toMatch(/JSON|Unexpected|parse/i);
    expect(header('vigil.source.topic')).toBe(topics.payments);
    expect(header('vigil.source.partition')).toBe('0');
    expect(header('vigil.source.offset')).toBe('1');
  });
});
