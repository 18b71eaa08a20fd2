/**
 * The smallest program on the engine, written as a user of the published
 * package would write it: every import goes through the package's entry
 * points (`vigil/streams`, `vigil/streams/testing`), nothing reaches inside.
 *
 *   npx tsx examples/hello-engine/word-count.ts "the quick fox" "the lazy dog"
 *
 * It counts words with the DSL and runs the topology on the broker-free
 * TopologyTestDriver; `KafkaStreams` (also from `vigil/streams`) runs the same
 * topology on a real broker.
 */
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from 'vigil/streams';
import { TopologyTestDriver } from 'vigil/streams/testing';

export function wordCountTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('lines', Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .selectKey((_key, word) => word)
    .groupByKey(Grouped.with(Serdes.String(), Serdes.String())) // the new key is repartitioned: say how to write it
    .count(Materialized.as('word-counts'))
    .toStream()
    .to('word-counts', Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}

/** Counts the words of `lines`; returns the final count per word. */
export async function countWords(lines: readonly string[]): Promise<Map<string, number>> {
  const driver = new TopologyTestDriver(wordCountTopology(), { applicationId: 'word-count' });
  try {
    const input = driver.createInputTopic('lines', Serdes.String(), Serdes.String());
    const output = driver.createOutputTopic('word-counts', Serdes.String(), Serdes.Long());
    for (const line of lines) await input.pipeInput('', line);
    const counts = new Map<string, number>();
    for (const [word, n] of output.readKeyValuesToMap()) if (word !== null && n !== null) counts.set(word, n);
    return counts;
  } finally {
    await driver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = await countWords(process.argv.slice(2).length ? process.argv.slice(2) : ['the quick brown fox', 'jumps over the lazy dog']);
  for (const [word, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stdout.write(`${word}\t${n}\n`);
}
