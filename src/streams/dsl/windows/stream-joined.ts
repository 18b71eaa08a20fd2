import type { StoreType } from '../../config.js';
import type { Serde } from '../../serde/serde.js';

/**
 * Serdes and naming of a windowed KStream–KStream join (Kafka Streams'
 * `StreamJoined`): the key serde, this stream's and the other stream's
 * value serdes (for the two join window stores and any repartition
 * topics), the processor name and the base name of the stores
 * (`<storeName>-this-join-store`, `<storeName>-other-join-store`).
 */
export class StreamJoined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly otherValueSerde: Serde<VO> | undefined,
    readonly name: string | undefined,
    readonly storeName: string | undefined,
    readonly storeType: StoreType | undefined,
    readonly loggingEnabled: boolean | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V, VO>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde, undefined, undefined, undefined, undefined);
  }

  /** Names the join's stores (and nothing else). */
  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>(undefined, undefined, undefined, undefined, storeName, undefined, undefined);
  }

  withName(name: string): StreamJoined<K, V, VO> {
    return this.copy({ name });
  }

  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return this.copy({ storeName });
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V, VO> {
    return this.copy({ keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): StreamJoined<K, V, VO> {
    return this.copy({ valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): StreamJoined<K, V, VO> {
    return this.copy({ otherValueSerde });
  }

  /** Overrides `config.defaultStoreType` for the two join stores. */
  withStoreType(storeType: StoreType): StreamJoined<K, V, VO> {
    return this.copy({ storeType });
  }

  withLoggingEnabled(): StreamJoined<K, V, VO> {
    return this.copy({ loggingEnabled: true });
  }

  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return this.copy({ loggingEnabled: false });
  }

  private copy(changes: Partial<StreamJoinedFields<K, V, VO>>): StreamJoined<K, V, VO> {
    const m = { ...this, ...changes };
    return new StreamJoined(m.keySerde, m.valueSerde, m.otherValueSerde, m.name, m.storeName, m.storeType, m.loggingEnabled);
  }
}

type StreamJoinedFields<K, V, VO> = Pick<
  StreamJoined<K, V, VO>,
  'keySerde' | 'valueSerde' | 'otherValueSerde' | 'name' | 'storeName' | 'storeType' | 'loggingEnabled'
>;
