import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { vigilSchema, type Alert, type Transaction, type UserProfile } from '../../src/fraud/schema/index.js';
import { staticRegistrySerde, subjectOf } from '../../src/registry/registry-serde.js';
import { isVigilError } from '../../src/streams/errors.js';

const schema = vigilSchema().text;
const tx: Transaction = {
  transaction_id: 'tx-1-0',
  card_id: 'c-000001-1',
  user_id: 'u-000001',
  amount_minor: 1_234,
  currency: 'USD',
  merchant_id: 'm-nyc-5411-03',
  mcc: 5411,
  latitude: 40.71,
  longitude: -74.0,
  device_id: 'd-000001-1',
  channel: 'CHANNEL_CONTACTLESS',
  region: 'us-east',
  event_time_ms: 1_767_571_200_000,
};

function txSerde(ids: readonly number[] = [7]) {
  return staticRegistrySerde<Transaction>({ schema, messageName: 'vigil.v1.Transaction', schemaIds: new Map([['transactions-value', ids]]) });
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('registry serde (static ids)', () => {
  it('round-trips a transaction', () => {
    const serde = txSerde();
    expect(serde.deserialize('transactions', serde.serialize('transactions', tx))).toEqual(tx);
  });

  it('writes magic byte, big-endian schema id, message index [0] and the Protobuf payload', () => {
    const bytes = txSerde([3, 300])!.serialize('transactions', tx)!;
    const type = vigilSchema().type('vigil.v1.Transaction');
    const payload = Buffer.from(type.encode(type.fromObject(tx)).finish());
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 0, 1, 44, 0]); // id 300 = 0x012c, the newest of the subject
    expect(bytes.subarray(6)).toEqual(payload);
  });

  it('writes the message index of a message that is not first in the file', () => {
    const serde = staticRegistrySerde<UserProfile>({ schema, messageName: 'vigil.v1.UserProfile', schemaIds: new Map([['user-profiles-value', [9]]]) });
    const profile: UserProfile = {
      user_id: 'u-1',
      card_ids: ['c-1'],
      home_latitude: 1,
      home_longitude: 2,
      home_region: 'us-west',
      account_created_ms: 5,
      typical_spend_by_category: { grocery: 40 },
    };
    const bytes = serde.serialize('user-profiles', profile)!;
    expect([...bytes.subarray(5, 7)]).toEqual([2, 2]); // one index, value 1, as zigzag varints
    expect(serde.deserialize('user-profiles', bytes)).toEqual(profile);
  });

  it('maps null to null both ways (tombstones)', () => {
    const serde = txSerde();
    expect(serde.serialize('transactions', null)).toBeNull();
    expect(serde.deserialize('transactions', null)).toBeNull();
  });

  it('rejects an id not registered under its subjects with VIGIL_ERR_UNKNOWN_SCHEMA', () => {
    const bytes = txSerde([7]).serialize('transactions', tx)!;
    const err = errorOf(() => txSerde([8]).deserialize('transactions', bytes));
    expect(isVigilError(err, 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);
    expect((err as Error).message).toContain('schema id 7');
  });

  it('rejects a bad magic byte with VIGIL_ERR_WIRE_FORMAT', () => {
    const bytes = Buffer.from(txSerde().serialize('transactions', tx)!);
    bytes[0] = 1;
    expect(isVigilError(errorOf(() => txSerde().deserialize('transactions', bytes)), 'VIGIL_ERR_WIRE_FORMAT')).toBe(true);
  });

  it('rejects a frame shorter than its header with VIGIL_ERR_WIRE_FORMAT', () => {
    expect(isVigilError(errorOf(() => txSerde().deserialize('transactions', Buffer.from([0, 0, 0]))), 'VIGIL_ERR_WIRE_FORMAT')).toBe(true);
  });

  it('rejects a truncated payload with VIGIL_ERR_SERDE', () => {
    const bytes = txSerde().serialize('transactions', tx)!;
    const err = errorOf(() => txSerde().deserialize('transactions', bytes.subarray(0, bytes.length - 4)));
    expect(isVigilError(err, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((err as Error).message).toContain('not a valid vigil.v1.Transaction');
  });

  it('rejects a record that holds another message of the file with VIGIL_ERR_SERDE', () => {
    const profiles = staticRegistrySerde<UserProfile>({ schema, messageName: 'vigil.v1.UserProfile', schemaIds: new Map([['transactions-value', [7]]]) });
    const bytes = profiles.serialize('transactions', { user_id: 'u-1' } as UserProfile)!;
    const err = errorOf(() => txSerde().deserialize('transactions', bytes));
    expect(isVigilError(err, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((err as Error).message).toContain('holds vigil.v1.UserProfile');
  });

  it('refuses to serialize for a topic whose subject it has no id for', () => {
    const err = errorOf(() => txSerde().serialize('alerts', tx));
    expect(isVigilError(err, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((err as Error).message).toContain('alerts-value');
  });

  it('refuses to serialize a value whose structure does not fit the message', () => {
    const alerts = staticRegistrySerde<Alert>({ schema, messageName: 'vigil.v1.Alert', schemaIds: new Map([['alerts-value', [4]]]) });
    const err = errorOf(() => alerts.serialize('alerts', { alert_id: 'a', transaction: 'not a transaction' } as unknown as Alert));
    expect(isVigilError(err, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((err as Error).message).toContain('cannot serialize a vigil.v1.Alert');
  });

  it('round-trips an enum number the schema does not name (proto3 enums are open), as a damaged record being dead-lettered needs', () => {
    // A bit flip in the channel field decodes to an unnamed number; re-encoding it for the DLQ used to throw and stop the engine.
    const serde = txSerde();
    const damaged = { ...tx, channel: 37 as unknown as Transaction['channel'] };
    expect(serde.deserialize('transactions', serde.serialize('transactions', damaged))).toEqual(damaged);
  });

  it('reads a newer compatible version (an added field) with the local type', () => {
    const v2 = schema.replace('int64 event_time_ms = 13;', 'int64 event_time_ms = 13;\n  string terminal_id = 99;');
    const writer = staticRegistrySerde<Transaction & { terminal_id: string }>({ schema: v2, messageName: 'vigil.v1.Transaction', schemaIds: new Map([['transactions-value', [7, 8]]]) });
    const bytes = writer.serialize('transactions', { ...tx, terminal_id: 'T-9' })!;
    expect(bytes.readUInt32BE(1)).toBe(8);
    expect(txSerde([7, 8]).deserialize('transactions', bytes)).toEqual(tx);
    // ...and the new reader reads the old record with the new field defaulted.
    const old = txSerde([7]).serialize('transactions', tx)!;
    expect(writer.deserialize('transactions', old)).toEqual({ ...tx, terminal_id: '' });
  });

  it('names subjects <topic>-value', () => {
    expect(subjectOf('transactions')).toBe('transactions-value');
  });

  it('decodes with the same bytes protobufjs writes for the committed .proto', () => {
    const type = protobuf.parse(schema, { keepCase: true }).root.lookupType('vigil.v1.Transaction');
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 7, 0]), Buffer.from(type.encode(type.fromObject(tx)).finish())]);
    expect(txSerde().deserialize('transactions', frame)).toEqual(tx);
  });
});

describe('registry serde on the engine\'s internal topics', () => {
  it('writes store changelog and repartition records with the schema id of its first topic', () => {
    const serde = staticRegistrySerde<Alert>({ schema, messageName: 'vigil.v1.Alert', schemaIds: new Map([['alerts-value', [4]]]) });
    for (const topic of ['app-store-changelog', 'app-KSTREAM-KEY-SELECT-0000000003-repartition']) {
      const bytes = serde.serialize(topic, { alert_id: 'a-1' } as Alert);
      expect(bytes?.readInt32BE(1)).toBe(4);
      expect(serde.deserialize(topic, bytes)?.alert_id).toBe('a-1');
    }
  });
});
