/**
 * Serde plumbing shared by the typed layers. Stores serialize with the
 * changelog topic's name, `<applicationId>-<store>-changelog`, as Kafka
 * Streams does, so a schema-registry serde registers under that subject.
 */
import { VigilError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { MaybePromise, StoreContext } from '../types.js';
import { isPromiseLike } from './bytes-store.js';

export function changelogTopic(context: StoreContext, storeName: string): string {
  return `${context.applicationId}-${storeName}-changelog`;
}

export class StoreSerdes<K, V> {
  topic = '';

  constructor(
    private readonly storeName: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}

  keyBytes(key: K): Buffer {
    if (key === null || key === undefined) {
      throw new VigilError('VIGIL_ERR_STATE_STORE', `state store "${this.storeName}" does not accept null keys`);
    }
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) {
      throw new VigilError(
        'VIGIL_ERR_STATE_STORE',
        `the key serde of state store "${this.storeName}" turned a key into null: keys must serialize to bytes`,
      );
    }
    return bytes;
  }

  key(bytes: Buffer): K {
    return this.keySerde.deserialize(this.topic, bytes) as K;
  }

  valueBytes(value: V | null): Buffer | null {
    return value === null || value === undefined ? null : this.valueSerde.serialize(this.topic, value);
  }

  value(bytes: Buffer | undefined): V | undefined {
    if (bytes === undefined) return undefined;
    return (this.valueSerde.deserialize(this.topic, bytes) ?? undefined) as V | undefined;
  }

  /** `value` of a read that may still be on its way: synchronous (no closure) when the bytes are at hand. */
  valueOf(read: MaybePromise<Buffer | undefined>): MaybePromise<V | undefined> {
    return isPromiseLike(read) ? Promise.resolve(read).then((bytes) => this.value(bytes)) : this.value(read);
  }
}
