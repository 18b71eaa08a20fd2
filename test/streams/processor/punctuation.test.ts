import { describe, expect, it } from 'vitest';
import type { Processor, ProcessorContext } from '../../../src/streams/processor/processor.js';
import { Record } from '../../../src/streams/processor/record.js';
import { Topology } from '../../../src/streams/processor/topology.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';
import { openDriver } from '../testing/driver-fixture.js';

/** Forwards `tick@<time>` each time its punctuator fires. */
function ticker(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', intervalMs: number): () => Processor<string, string, string, string> {
  return () => {
    let ctx: ProcessorContext<string, string>;
    return {
      init(context) {
        ctx = context;
        context.schedule(intervalMs, type, (time) => ctx.forward(new Record('tick', `${type}@${time}`, time)));
      },
      process: () => {},
    };
  };
}

function topologyWith(type: 'STREAM_TIME' | 'WALL_CLOCK_TIME', intervalMs: number): Topology {
  return new Topology()
    .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .addProcessor('ticker', ticker(type, intervalMs), 'src')
    .addSink('sink', 'out', { keySerde: Serdes.String(), valueSerde: Serdes.String() }, 'ticker');
}

describe('stream-time punctuation', () => {
  it('fires on the first record, then whenever stream time crosses the next interval boundary', async () => {
    const driver = openDriver(topologyWith('STREAM_TIME', 10));
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    await input.pipeInput('k', 'v', 3);
    await input.pipeInput('k', 'v', 9);
    await input.pipeInput('k', 'v', 10);
    await input.pipeInput('k', 'v', 5); // out of order: stream time stays 10
    await input.pipeInput('k', 'v', 35); // skips 20 and 30: fires once, next at 40
    await input.pipeInput('k', 'v', 39);
    await input.pipeInput('k', 'v', 40);
    expect(output.readValuesToList()).toEqual(['STREAM_TIME@3', 'STREAM_TIME@10', 'STREAM_TIME@35', 'STREAM_TIME@40']);
  });

  it('does not fire when only the wall clock moves', async () => {
    const driver = openDriver(topologyWith('STREAM_TIME', 10));
    const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    await driver.advanceWallClockTime(1000);
    expect(output.isEmpty()).toBe(true);
  });
});

describe('wall-clock punctuation', () => {
  it('fires one interval after scheduling, driven only by advanceWallClockTime', async () => {
    const driver = openDriver(topologyWith('WALL_CLOCK_TIME', 100), {}, { initialWallClockTimeMs: 1000 });
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    await input.pipeInput('k', 'v', 5000); // stream time does not drive wall-clock punctuators
    await driver.advanceWallClockTime(99);
    expect(output.isEmpty()).toBe(true);
    await driver.advanceWallClockTime(1);
    await driver.advanceWallClockTime(250); // jumps past 1200 and 1300: fires once at 1350
    await driver.advanceWallClockTime(50);
    expect(output.readValuesToList()).toEqual(['WALL_CLOCK_TIME@1100', 'WALL_CLOCK_TIME@1350', 'WALL_CLOCK_TIME@1400']);
  });

  it('stops firing once cancelled', async () => {
    const topology = new Topology()
      .addSource('src', { topics: ['in'], keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .addProcessor(
        'p',
        (): Processor<string, string, string, string> => {
          let fired = 0;
          return {
            init(context) {
              const handle = context.schedule(10, 'WALL_CLOCK_TIME', async (t) => {
                fired += 1;
                await context.forward(new Record('n', String(fired), t));
                if (fired === 2) handle.cancel();
              });
            },
            process: () => {},
          };
        },
        'src',
      )
      .addSink('sink', 'out', { keySerde: Serdes.String(), valueSerde: Serdes.String() }, 'p');
    const driver = openDriver(topology);
    const output = driver.createOutputTopic('out', Serdes.String(), Serdes.String());
    for (let i = 0; i < 5; i++) await driver.advanceWallClockTime(10);
    expect(output.readValuesToList()).toEqual(['1', '2']);
  });
});
