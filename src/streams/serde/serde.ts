/**
 * Turns values into bytes and back. `null` is reserved for tombstones and
 * absent values: serializers map null to null and deserializers do the same.
 */
export interface Serializer<T> {
  serialize(topic: string, data: T | null): Buffer | null;
}

export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null): T | null;
  /**
   * Optional, for deserializers that depend on something fetched elsewhere
   * (a schema registry). Called by the engine after `deserialize` threw on
   * `data`, outside the synchronous hot path; it fetches what was missing,
   * in bounded time, and resolves `true` when a second `deserialize` of the
   * same bytes may now succeed. The engine then deserializes once more
   * either way, so the handler (and the DLQ) sees the serde's final verdict
   * (e.g. "the registry does not know this id") rather than the first one.
   * It should not reject: a failed fetch resolves `false`.
   */
  resolveMissing?(topic: string, data: Buffer): Promise<boolean>;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {}
