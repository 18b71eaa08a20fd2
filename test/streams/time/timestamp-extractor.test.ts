import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../src/streams/dsl/consumed.js';
import { Produced } from '../../../src/streams/dsl/produced.js';
import { StreamsBuilder } from '../../../src/streams/dsl/streams-builder.js';
import { EMPTY_HEADERS } from '../../../src/streams/processor/record.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import {
  recordTimestampExtractor,
  usePartitionTimeOnInvalidTimestamp,
} from '../../../src/streams/time/timestamp-extractor.js';
import { openDriver } from '../testing/driver-fixture.js';

const record = (timestamp: number) => ({ topic: 't', partition: 0, offset: '0', key: 'k', value: 'v', timestamp, headers: EMPTY_HEADERS });

describe('timestamp extractors', () => {
  it('the default uses the record timestamp', () => {
    expect(recordTimestampExtractor(record(42), 100)).toBe(42);
  });

  it('usePartitionTimeOnInvalidTimestamp falls back to the partition time for negative timestamps', () => {
    expect(usePartitionTimeOnInvalidTimestamp(record(-1), 100)).toBe(100);
    expect(usePartitionTimeOnInvalidTimestamp(record(7), 100)).toBe(7);
  });

  it('a custom extractor given with Consumed sets event time from the payload', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.Json<{ at: number }>()).withTimestampExtractor((r) => r.value.at))
      .to('out', Produced.with(Serdes.String(), Serdes.Json<{ at: number }>()));
    const driver = openDriver(builder.build());
    await driver.createInputTopic('in', Serdes.String(), Serdes.Json<{ at: number }>()).pipeInput('k', { at: 777 }, 1);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.Json()).readRecord().timestamp).toBe(777);
  });

  it('config.defaultTimestampExtractor applies to sources without their own, and stream time follows it', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(Serdes.String(), Serdes.Number())).to('out', Produced.with(Serdes.String(), Serdes.Number()));
    const driver = openDriver(builder.build(), { defaultTimestampExtractor: (r) => (r.value as number) * 10 });
    await driver.createInputTopic('in', Serdes.String(), Serdes.Number()).pipeInput('k', 3, 0);
    expect(driver.createOutputTopic('out', Serdes.String(), Serdes.Number()).readRecord().timestamp).toBe(30);
  });
});
