import { VigilError } from '../../../errors.js';
import type { Serde } from '../../../serde/serde.js';
import { KStream } from '../../kstream.js';
import type { JoinWindows } from '../join-windows.js';
import type { StreamJoined } from '../stream-joined.js';
import { OuterJoinBuffers } from './outer-join-buffer.js';
import { passThroughSupplier } from './pass-through.js';
import { StreamStreamJoinProcessor } from './stream-stream-join-processor.js';
import { outerJoinStoreFactory, windowStoreFactory } from './window-store-factories.js';

export type StreamJoinKind = 'inner' | 'left' | 'outer';

/** Joins a left value with a right value; on the outer side of a left/outer join one of them is null. Key last, like the rest of the DSL's joiners. */
export type StreamValueJoiner<K, V, VO, VR> = (value: V, otherValue: VO, key: K) => VR;

/**
 * Lowers `left.join/leftJoin/outerJoin(right, joiner, windows, streamJoined)`
 * into the topology: (repartition topics when a side's key changed,) one
 * join node per side, each with its own window store (retainDuplicates,
 * retention before + after + grace, never cached) and connected to the
 * other's, for left/outer joins a key-value store of unmatched records
 * shared by both, and a merge node whose output is the joined stream.
 */
export function joinStreams<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: StreamValueJoiner<K, V | null, VO | null, VR>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V, VO> | undefined,
  kind: StreamJoinKind,
): KStream<K, VR> {
  const builder = left.builder;
  if (right.builder !== builder) {
    throw new VigilError(
      'VIGIL_ERR_TOPOLOGY',
      'A stream can only be joined with a stream of the same StreamsBuilder; build both from one builder.',
    );
  }
  const named = streamJoined?.name;
  const thisName = named ? `${named}-this-join` : builder.newProcessorName(kind === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const otherName = named ? `${named}-other-join` : builder.newProcessorName(kind === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-');
  const mergeName = named ? `${named}-merge` : builder.newProcessorName('KSTREAM-MERGE-');
  const thisStore = streamJoined?.storeName ? `${streamJoined.storeName}-this-join-store` : `${thisName}-store`;
  const otherStore = streamJoined?.storeName ? `${streamJoined.storeName}-other-join-store` : `${otherName}-store`;

  const keySerde = streamJoined?.keySerde ?? left.keySerde ?? right.keySerde;
  const valueSerde = streamJoined?.valueSerde ?? left.valueSerde;
  const otherValueSerde = streamJoined?.otherValueSerde ?? right.valueSerde;
  const leftParent = left.repartitionRequired
    ? builder.repartition(left.nodeName, `${named ?? thisName}-left`, { keySerde, valueSerde })
    : left.nodeName;
  const rightParent = right.repartitionRequired
    ? builder.repartition(right.nodeName, `${named ?? otherName}-right`, { keySerde, valueSerde: otherValueSerde })
    : right.nodeName;

  const shared = new OuterJoinBuffers();
  const holdsUnmatched = kind !== 'inner';
  const outerStore = holdsUnmatched
    ? `${streamJoined?.storeName ?? thisName}-outer-shared-join-store`
    : undefined;
  const unjoined = (held: { side: 'left' | 'right'; key: unknown; value: unknown }): VR =>
    held.side === 'left'
      ? joiner(held.value as V, null, held.key as K)
      : joiner(null, held.value as VO, held.key as K);

  builder.addProcessor(
    thisName,
    StreamStreamJoinProcessor.supplier<K, V, VO, VR>({
      side: 'left',
      thisStoreName: thisStore,
      otherStoreName: otherStore,
      windows,
      joiner: (key, value, other) => joiner(value, other, key),
      outer: kind !== 'inner',
      holdsUnmatched,
      shared,
      outerStoreName: outerStore,
      unjoined,
      keySerde,
    }),
    leftParent,
  );
  builder.addProcessor(
    otherName,
    StreamStreamJoinProcessor.supplier<K, VO, V, VR>({
      side: 'right',
      thisStoreName: otherStore,
      otherStoreName: thisStore,
      windows,
      joiner: (key, value, other) => joiner(other, value, key),
      outer: kind === 'outer',
      holdsUnmatched,
      shared,
      outerStoreName: outerStore,
      unjoined,
      keySerde,
    }),
    rightParent,
  );
  // KIP-962: repartitions upstream of a left or outer join keep null-key records for it (either side).
  if (kind !== 'inner') {
    builder.markRelaxedNullKeyJoin(thisName);
    builder.markRelaxedNullKeyJoin(otherName);
  }
  const store = <VS>(storeName: string, serde: Serde<VS> | undefined) =>
    windowStoreFactory<K, VS>({
      storeName,
      keySerde,
      valueSerde: serde,
      storeType: streamJoined?.storeType,
      cachingEnabled: false,
      loggingEnabled: streamJoined?.loggingEnabled,
      retentionMs: windows.size() + windows.gracePeriodMs(),
      windowSizeMs: windows.size(),
      retainDuplicates: true,
    });
  builder.addStateStore(thisStore, store(thisStore, valueSerde), thisName, otherName);
  builder.addStateStore(otherStore, store(otherStore, otherValueSerde), thisName, otherName);
  if (outerStore !== undefined) {
    builder.addStateStore(
      outerStore,
      outerJoinStoreFactory<K>({
        storeName: outerStore,
        keySerde,
        leftValueSerde: valueSerde as Serde<unknown> | undefined,
        rightValueSerde: otherValueSerde as Serde<unknown> | undefined,
        storeType: streamJoined?.storeType,
        loggingEnabled: streamJoined?.loggingEnabled,
      }),
      thisName,
      otherName,
    );
  }
  builder.addProcessor(mergeName, passThroughSupplier<K, VR>(), thisName, otherName);
  return new KStream<K, VR>(builder, mergeName, { keySerde });
}
