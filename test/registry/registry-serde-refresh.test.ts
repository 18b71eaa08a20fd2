import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { vigilSchema, type Transaction } from '../../src/fraud/schema/index.js';
import { registrySerde, staticRegistrySerde } from '../../src/registry/registry-serde.js';
import { isVigilError } from '../../src/streams/errors.js';
import { encodeWireFormat } from '../../src/streams/serde/wire-format.js';

/**
 * A minimal in-process stand-in for the registry's Confluent-compatible
 * subject endpoints, so the refresh logic is tested without a JVM (the real
 * registry is covered in test/integration/fraud-data).
 */
function fakeRegistry() {
  const subjects = new Map<string, number[]>(); // subject → ids by version
  let nextId = 100;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const m = /^\/subjects\/([^/]+)\/versions(?:\/(\d+))?$/.exec(req.url ?? '');
    const subject = m ? decodeURIComponent(m[1]!) : '';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!m) return reply(404, { error_code: 404 });
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        const ids = subjects.get(subject) ?? [];
        if (ids.length === 0) ids.push(nextId++);
        subjects.set(subject, ids);
        reply(200, { id: ids[0] });
      });
      return;
    }
    const ids = subjects.get(subject);
    if (!ids) return reply(404, { error_code: 40401 });
    if (m[2] === undefined) return reply(200, ids.map((_, i) => i + 1));
    return reply(200, { id: ids[Number(m[2]) - 1], version: Number(m[2]) });
  });
  return {
    server,
    /** Another producer registers a new version. */
    addVersion(subject: string): number {
      const id = nextId++;
      subjects.set(subject, [...(subjects.get(subject) ?? []), id]);
      return id;
    },
    requests: () => requests,
  };
}

const schema = vigilSchema().text;
const tx = { transaction_id: 't-1', card_id: 'c-1', amount_minor: 5, channel: 'CHANNEL_ONLINE' } as Transaction;
const registry = fakeRegistry();
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => registry.server.close(() => resolve())));

function serde(topic: string, refreshIntervalMs: number) {
  const s = registrySerde<Transaction>({ url, topics: [topic], schema, messageName: 'vigil.v1.Transaction', refreshIntervalMs });
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

describe('registry serde: prepare and refresh', () => {
  it('registers under <topic>-value on prepare and serializes synchronously with that id', async () => {
    const s = serde('payments', 0);
    expect(() => s.serialize('payments', tx)).toThrow(/await prepare\(\)/);
    await s.prepare();
    const id = s.writerSchemaId('payments')!;
    expect(s.serialize('payments', tx)!.readUInt32BE(1)).toBe(id);
    expect(s.knownSchemaIds()).toEqual([id]);
  });

  it('learns a version registered after prepare in the background, within the refresh interval', async () => {
    const s = serde('evolving', 50);
    await s.prepare();
    const newer = registry.addVersion('evolving-value');
    await vi.waitFor(() => expect(s.knownSchemaIds()).toContain(newer), { timeout: 2_000, interval: 20 });
    expect(s.deserialize('evolving', framedWith(newer))).toMatchObject({ transaction_id: 't-1' });
  });

  it('rejects an id it does not know yet, and refreshes at once so the next record passes', async () => {
    const s = serde('rollout', 0); // no periodic refresh: only the unknown id triggers one
    await s.prepare();
    const newer = registry.addVersion('rollout-value');
    let first: unknown;
    try {
      s.deserialize('rollout', framedWith(newer));
    } catch (err) {
      first = err;
    }
    expect(isVigilError(first, 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);
    await vi.waitFor(() => expect(s.deserialize('rollout', framedWith(newer))).toMatchObject({ card_id: 'c-1' }), { timeout: 2_000, interval: 20 });
  });

  it('does not hammer the registry when a stream of garbage ids arrives', async () => {
    const s = serde('garbage', 0);
    await s.prepare();
    const before = registry.requests();
    for (let i = 0; i < 200; i++) expect(() => s.deserialize('garbage', framedWith(50_000 + i))).toThrow(/not registered/);
    await new Promise((r) => setTimeout(r, 100));
    expect(registry.requests() - before).toBeLessThanOrEqual(3); // one refresh: list versions + one version
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
