import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { vigilSchema, type Transaction } from '../../../src/fraud/schema/index.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { connectRegistry, listSubjectSchemaIds, registerProtobufSchema } from '../../../src/registry/schema-registry.js';
import { isVigilError } from '../../../src/streams/errors.js';
import { uniqueName } from '../helpers.js';

const schema = vigilSchema().text;
const tx: Transaction = {
  transaction_id: 'tx-9-1',
  card_id: 'c-000009-1',
  user_id: 'u-000009',
  amount_minor: 4_250,
  currency: 'USD',
  merchant_id: 'm-sea-5812-01',
  mcc: 5812,
  latitude: 47.61,
  longitude: -122.33,
  device_id: '',
  channel: 'CHANNEL_CARD_PRESENT',
  region: 'us-west',
  event_time_ms: 1_767_600_000_000,
};

// connectRegistry().encode verifies before fromObject, so it wants enum numbers, not names.
const txForAsyncClient = { ...tx, channel: 1 };

function serdeFor(topic: string) {
  const serde = registrySerde<Transaction>({ url: inject('schemaRegistryUrl'), topics: [topic], schema, messageName: 'vigil.v1.Transaction', refreshIntervalMs: 0 });
  onTestFinished(() => serde.close());
  return serde;
}

describe('registry serde against Apicurio', () => {
  const url = inject('schemaRegistryUrl');

  it('registers vigil.proto under <topic>-value on prepare and writes that id', async () => {
    const topic = uniqueName('serde');
    const serde = serdeFor(topic);
    await serde.prepare();
    const ids = await listSubjectSchemaIds(url, `${topic}-value`);
    expect(ids).toHaveLength(1);
    expect(serde.writerSchemaId(topic)).toBe(ids[0]);
    const bytes = serde.serialize(topic, tx)!;
    expect(bytes.readUInt32BE(1)).toBe(ids[0]);
    // Another client (the async registry client) reads what the sync serde wrote, and vice versa.
    expect((await connectRegistry(url).decode(bytes)).value).toEqual(tx);
    expect(serde.deserialize(topic, await connectRegistry(url).encode(ids[0]!, 'vigil.v1.Transaction', txForAsyncClient))).toEqual(tx);
  });

  it('learns the id of a newer compatible version on refresh, and rejects it as unknown before', async () => {
    const topic = uniqueName('evolve');
    const reader = serdeFor(topic);
    await reader.prepare();
    await connectRegistry(url).setCompatibility(`${topic}-value`, 'BACKWARD');
    const v2 = schema.replace('optional GeoPoint payer_location = 16;', 'optional GeoPoint payer_location = 16;\n  string terminal_id = 17;');
    const v2Id = await registerProtobufSchema(url, `${topic}-value`, v2);
    expect(v2Id).not.toBe(reader.writerSchemaId(topic));
    const bytes = await connectRegistry(url).encode(v2Id, 'vigil.v1.Transaction', { ...txForAsyncClient, terminal_id: 'T-1' });

    const before = (() => {
      try {
        return reader.deserialize(topic, bytes);
      } catch (err) {
        return err;
      }
    })();
    expect(isVigilError(before, 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);

    await reader.refresh();
    expect(reader.knownSchemaIds()).toContain(v2Id);
    expect(reader.deserialize(topic, bytes)).toEqual(tx); // the added field is skipped by the old reader
  });

  it('accepts the located fields (14-16, GeoPoint) as a BACKWARD-compatible evolution of the schema before them', async () => {
    const topic = uniqueName('located');
    const before = schema.replace(/\n {2}\/\/ Card-present, contactless and ATM: where[\s\S]*?payer_location = 16;/, '').replace(/\n\/\/ A position in WGS84[\s\S]*$/, '\n');
    expect(before).not.toMatch(/GeoPoint|terminal_location/);
    const oldId = await registerProtobufSchema(url, `${topic}-value`, before);
    await connectRegistry(url).setCompatibility(`${topic}-value`, 'BACKWARD');
    const newId = await registerProtobufSchema(url, `${topic}-value`, schema);
    expect(newId).not.toBe(oldId);
    expect(await listSubjectSchemaIds(url, `${topic}-value`)).toEqual(expect.arrayContaining([oldId, newId]));

    // A reader on the new schema reads what an old producer wrote: the located fields are absent, not null.
    const oldBytes = await connectRegistry(url).encode(oldId, 'vigil.v1.Transaction', txForAsyncClient);
    const reader = serdeFor(topic);
    await reader.prepare();
    expect(reader.deserialize(topic, oldBytes)).toEqual(tx);
    // And a new producer's online payment keeps the merchant's and the payer's positions apart.
    const online: Transaction = {
      ...tx,
      channel: 'CHANNEL_ONLINE',
      merchant_location: { latitude: 40.71, longitude: -74.01, accuracy_m: 0 },
      payer_location: { latitude: 47.61, longitude: -122.33, accuracy_m: 3_000 },
    };
    expect(reader.deserialize(topic, reader.serialize(topic, online)!)).toEqual(online);
  });

  it('is refused by the registry when a change is incompatible under BACKWARD', async () => {
    const topic = uniqueName('incompatible');
    await serdeFor(topic).prepare();
    await connectRegistry(url).setCompatibility(`${topic}-value`, 'BACKWARD');
    const broken = schema.replace('string card_id = 2;', 'int64 card_id = 2;');
    const error = await registerProtobufSchema(url, `${topic}-value`, broken).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_REGISTRY')).toBe(true);
    expect((error as Error).message).toContain('not compatible');
  });

  it('fails prepare with VIGIL_ERR_REGISTRY when the registry is unreachable', async () => {
    const serde = registrySerde<Transaction>({ url: 'http://127.0.0.1:1/apis/ccompat/v7', topics: ['t'], schema, messageName: 'vigil.v1.Transaction' });
    await expect(serde.prepare()).rejects.toMatchObject({ code: 'VIGIL_ERR_REGISTRY', message: expect.stringContaining('unreachable') });
    serde.close();
  });
});
