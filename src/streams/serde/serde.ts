/**
 * Turns values into bytes and back. `null` is reserved for tombstones and
 * absent values: serializers map null to null and deserializers do the same.
 */
export interface Serializer<T> {
  serialize(topic: string, data: T | null): Buffer | null;
}

export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null): T | null;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {}
