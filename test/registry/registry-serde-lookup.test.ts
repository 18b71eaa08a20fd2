import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { vigilSchema, type Transaction } from '../../src/fraud/schema/index.js';
import { protoTextToSerialized } from '../../src/registry/protobuf-descriptor.js';
import { registrySerde, staticRegistrySerde, type RegistrySerdeOptions } from '../../src/registry/registry-serde.js';
import { isVigilError } from '../../src/streams/errors.js';
import { encodeWireFormat } from '../../src/streams/serde/wire-format.js';
import { ManualClock } from '../../src/streams/time/clock.js';

/**
 * A minimal in-process stand-in for the registry's Confluent-compatible
 * endpoints (subject versions, schemas by id), so the lookup logic is tested
 * without a JVM (the real registry is covered in test/integration).
 */
function fakeRegistry() {
  const subjects = new Map<string, number[]>(); // subject → ids by version
  const texts = new Map<number, string>(); // id → schema text
  let nextId = 100;
  let requests = 0;
  const byId: number[] = []; // ids asked for through GET /schemas/ids/{id}
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const reply = (status: number, body: unknown) => {
      const send = () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (delayMs > 0) setTimeout(send, delayMs);
      else send();
    };
    const ids = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
    if (ids) {
      const id = Number(ids[1]);
      byId.push(id);
      const text = texts.get(id);
      return text === undefined ? reply(404, { error_code: 40403 }) : reply(200, { schema: text });
    }
    const m = /^\/subjects\/([^/]+)\/versions(?:\/(\d+))?$/.exec(req.url ?? '');
    const subject = m ? decodeURIComponent(m[1]!) : '';
    if (!m) return reply(404, { error_code: 404 });
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const list = subjects.get(subject) ?? [];
        if (list.length === 0) {
          list.push(nextId);
          texts.set(nextId++, (JSON.parse(body) as { schema: string }).schema);
        }
        subjects.set(subject, list);
        reply(200, { id: list[0] });
      });
      return;
    }
    const list = subjects.get(subject);
    if (!list) return reply(404, { error_code: 40401 });
    if (m[2] === undefined) return reply(200, list.map((_, i) => i + 1));
    const id = list[Number(m[2]) - 1]!;
    return reply(200, { id, version: Number(m[2]), schema: texts.get(id) });
  });
  return {
    server,
    /** Another producer registers a new version (by default the same text plus a field). */
    addVersion(subject: string, text = schemaV2): number {
      const id = nextId++;
      texts.set(id, text);
      subjects.set(subject, [...(subjects.get(subject) ?? []), id]);
      return id;
    },
    requests: () => requests,
    byId,
    setDelay(ms: number) {
      delayMs = ms;
    },
  };
}

const schema = vigilSchema().text;
const schemaV2 = schema.replace('int64 event_time_ms = 13;', 'int64 event_time_ms = 13;\n  string terminal_id = 17;');
const tx = { transaction_id: 't-1', card_id: 'c-1', amount_minor: 5, channel: 'CHANNEL_ONLINE' } as Transaction;
const registry = fakeRegistry();
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => registry.server.close(() => resolve())));
afterEach(() => registry.setDelay(0));

function serde(topic: string, refreshIntervalMs: number, extra: Partial<RegistrySerdeOptions> = {}) {
  const s = registrySerde<Transaction>({ url, topics: [topic], schema, messageName: 'vigil.v1.Transaction', refreshIntervalMs, ...extra });
  onTestFinished(() => s.close());
  return s;
}

const payload = staticRegistrySerde<Transaction>({ schema, messageName: 'vigil.v1.Transaction', schemaIds: new Map([['x-value', [1]]]) })
  .serialize('x', tx)!
  .subarray(6);

/** Bytes as a producer using schema id `id` would write them. */
function framedWith(id: number): Buffer {
  return encodeWireFormat({ schemaId: id, messageIndexes: [0], payload });
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('registry serde: prepare and refresh', () => {
  it('registers under <topic>-value on prepare and serializes synchronously with that id', async () => {
    const s = serde('payments', 0);
    expect(() => s.serialize('payments', tx)).toThrow(/await prepare\(\)/);
    await s.prepare();
    const id = s.writerSchemaId('payments')!;
    expect(s.serialize('payments', tx)!.readUInt32BE(1)).toBe(id);
    expect(s.knownSchemaIds()).toEqual([id]);
  });

  it('loads every version the subject already has on prepare, without a lookup per record', async () => {
    registry.addVersion('existing-value', schema);
    const older = registry.addVersion('existing-value');
    const s = serde('existing', 0);
    await s.prepare();
    const asked = registry.byId.length;
    expect(s.deserialize('existing', framedWith(older))).toMatchObject({ transaction_id: 't-1' });
    expect(registry.byId.length).toBe(asked);
  });

  it('learns a version registered after prepare in the background when a refresh interval is set', async () => {
    const s = serde('evolving', 50);
    await s.prepare();
    const newer = registry.addVersion('evolving-value');
    await vi.waitFor(() => expect(s.knownSchemaIds()).toContain(newer), { timeout: 2_000, interval: 20 });
    expect(s.deserialize('evolving', framedWith(newer))).toMatchObject({ transaction_id: 't-1' });
  });

  it('stops refreshing after close()', async () => {
    const s = serde('closing', 30);
    await s.prepare();
    s.close();
    const newer = registry.addVersion('closing-value');
    await new Promise((r) => setTimeout(r, 150));
    expect(s.knownSchemaIds()).not.toContain(newer);
  });
});

describe('registry serde: looking up an unknown id', () => {
  it('fetches a newly registered id at once, so the record decodes on the retry', async () => {
    const s = serde('rollout', 0);
    await s.prepare();
    const newer = registry.addVersion('rollout-value');
    expect(isVigilError(errorOf(() => s.deserialize('rollout', framedWith(newer))), 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);
    expect(await s.resolveMissing('rollout', framedWith(newer))).toBe(true);
    expect(s.deserialize('rollout', framedWith(newer))).toMatchObject({ card_id: 'c-1' });
  });

  it('reads an id registered under another subject when its message is the same type', async () => {
    const s = serde('mine', 0);
    await s.prepare();
    const elsewhere = registry.addVersion('someone-elses-subject');
    expect(await s.resolveMissing('mine', framedWith(elsewhere))).toBe(true);
    expect(s.deserialize('mine', framedWith(elsewhere))).toMatchObject({ amount_minor: 5 });
  });

  it('reads an id whose schema a Confluent serializer registered itself, as a base64 FileDescriptorProto', async () => {
    const s = serde('auto-registered', 0);
    await s.prepare();
    const confluent = registry.addVersion('auto-registered-value', protoTextToSerialized(schemaV2)!);
    expect(await s.resolveMissing('auto-registered', framedWith(confluent))).toBe(true);
    expect(s.deserialize('auto-registered', framedWith(confluent))).toMatchObject({ transaction_id: 't-1', channel: 'CHANNEL_ONLINE' });
  });

  it('fails with VIGIL_ERR_REGISTRY when the registry serves a schema that is neither .proto text nor a descriptor', async () => {
    const s = serde('garbled', 0);
    await s.prepare();
    const garbled = registry.addVersion('garbled-value', '\n\u000bTransaction\ufffd\ufffd');
    expect(await s.resolveMissing('garbled', framedWith(garbled))).toBe(false);
    const error = errorOf(() => s.deserialize('garbled', framedWith(garbled)));
    expect(isVigilError(error, 'VIGIL_ERR_REGISTRY')).toBe(true);
    expect((error as Error).message).toMatch(/neither as \.proto text nor as a base64 FileDescriptorProto/);
  });

  it('shares one request among concurrent callers for the same id', async () => {
    const s = serde('burst', 0);
    await s.prepare();
    const newer = registry.addVersion('burst-value');
    registry.setDelay(50);
    const before = registry.byId.filter((id) => id === newer).length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.resolveMissing('burst', framedWith(newer))));
    expect(answers.every(Boolean)).toBe(true);
    expect(registry.byId.filter((id) => id === newer).length - before).toBe(1);
  });

  it('fails with VIGIL_ERR_UNKNOWN_SCHEMA when the registry does not know the id, and asks again only after the negative cache expires', async () => {
    const clock = new ManualClock(1_000);
    const s = serde('unknown', 0, { clock, negativeCacheMs: 5_000 });
    await s.prepare();
    const frame = framedWith(987_654);
    expect(await s.resolveMissing('unknown', frame)).toBe(false);
    const error = errorOf(() => s.deserialize('unknown', frame));
    expect(isVigilError(error, 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);
    expect((error as Error).message).toMatch(/987654 is not registered/);
    const asked = () => registry.byId.filter((id) => id === 987_654).length;
    expect(asked()).toBe(1);
    for (let i = 0; i < 50; i++) expect(await s.resolveMissing('unknown', frame)).toBe(false);
    expect(asked()).toBe(1);
    clock.advance(5_000);
    expect(await s.resolveMissing('unknown', frame)).toBe(false);
    expect(asked()).toBe(2);
  });

  it('gives up within lookupTimeoutMs when the registry does not answer, with VIGIL_ERR_REGISTRY', async () => {
    const s = serde('slow', 0, { lookupTimeoutMs: 300 });
    await s.prepare();
    const newer = registry.addVersion('slow-value');
    registry.setDelay(2_000);
    const started = Date.now();
    expect(await s.resolveMissing('slow', framedWith(newer))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
    const error = errorOf(() => s.deserialize('slow', framedWith(newer)));
    expect(isVigilError(error, 'VIGIL_ERR_REGISTRY')).toBe(true);
    expect((error as Error).message).toMatch(/could not look up schema id \d+ within 300 ms/);
  });

  it('refuses, with VIGIL_ERR_SERDE, a writer schema whose field changed wire type', async () => {
    const s = serde('retyped', 0);
    await s.prepare();
    const broken = registry.addVersion('retyped-value', schema.replace('string card_id = 2;', 'int64 card_id = 2;'));
    expect(await s.resolveMissing('retyped', framedWith(broken))).toBe(true);
    const error = errorOf(() => s.deserialize('retyped', framedWith(broken)));
    expect(isVigilError(error, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((error as Error).message).toMatch(/field 2 is int64 card_id in the writer's schema but string card_id in the reader's/);
  });

  it('refuses, with VIGIL_ERR_SERDE, a frame whose message index names another message in the writer schema', async () => {
    const s = serde('other-message', 0);
    await s.prepare();
    const id = s.writerSchemaId('other-message')!;
    const alertIndex = encodeWireFormat({ schemaId: id, messageIndexes: [5], payload });
    const error = errorOf(() => s.deserialize('other-message', alertIndex));
    expect(isVigilError(error, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((error as Error).message).toMatch(/holds vigil\.v1\.Alert/);
  });

  it('does not hammer the registry when a stream of garbage ids is deserialized directly', async () => {
    const s = serde('garbage', 0);
    await s.prepare();
    const before = registry.requests();
    for (let i = 0; i < 200; i++) expect(() => s.deserialize('garbage', framedWith(50_000 + i))).toThrow(/not been looked up|not registered/);
    await new Promise((r) => setTimeout(r, 100));
    expect(registry.requests() - before).toBeLessThanOrEqual(1); // one background lookup per second
  });
});
