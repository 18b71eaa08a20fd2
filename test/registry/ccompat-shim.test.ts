import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigilSchema } from '../../src/fraud/schema/index.js';
import { rewritesSerialized, startCcompatShim, toSerializedAnswer, type CcompatShim } from '../../src/registry/ccompat-shim.js';
import { protoTextToSerialized } from '../../src/registry/protobuf-descriptor.js';

const text = vigilSchema().text;

/** Decodes a base64 FileDescriptorProto back into message and field names. */
function decodeDescriptor(base64: string): { name: string; package: string; messages: string[]; transactionFields: string[] } {
  const types = descriptor as unknown as { FileDescriptorProto: protobuf.Type };
  const file = types.FileDescriptorProto.toObject(types.FileDescriptorProto.decode(Buffer.from(base64, 'base64'))) as {
    name: string;
    package: string;
    messageType: Array<{ name: string; field: Array<{ name: string }> }>;
  };
  return {
    name: file.name,
    package: file.package,
    messages: file.messageType.map((m) => m.name),
    transactionFields: file.messageType[0]!.field.map((f) => f.name),
  };
}

describe('Protobuf text → Confluent serialized form', () => {
  it('compiles vigil.proto into a FileDescriptorProto with every message in file order (so message indexes agree)', () => {
    const decoded = decodeDescriptor(protoTextToSerialized(text)!);
    expect(decoded.package).toBe('vigil.v1');
    expect(decoded.messages).toEqual(['Transaction', 'UserProfile', 'FeatureVector', 'Reason', 'SourceCoordinates', 'Alert', 'GeoPoint']);
    expect(decoded.transactionFields).toContain('amount_minor');
  });

  it('refuses what it cannot convert faithfully: not .proto text, or a file with imports', () => {
    expect(protoTextToSerialized(Buffer.from('not a schema').toString('base64'))).toBeUndefined();
    expect(protoTextToSerialized('syntax = "proto3";\nimport "other.proto";\nmessage A { int32 x = 1; }')).toBeUndefined();
  });

  it('rewrites only Protobuf answers, and leaves other schema types alone', () => {
    const avro = JSON.stringify({ schema: '{"type":"string"}' });
    expect(toSerializedAnswer(avro)).toBe(avro);
    const rewritten = JSON.parse(toSerializedAnswer(JSON.stringify({ schemaType: 'PROTOBUF', schema: text, id: 3 }))) as { schema: string; id: number };
    expect(rewritten.id).toBe(3);
    expect(decodeDescriptor(rewritten.schema).messages[0]).toBe('Transaction');
  });

  it('rewrites GETs of a schema by id or a subject version with format=serialized, nothing else', () => {
    const u = (path: string) => new URL(path, 'http://x');
    expect(rewritesSerialized('GET', u('/apis/ccompat/v7/schemas/ids/7?format=serialized'))).toBe(true);
    expect(rewritesSerialized('GET', u('/apis/ccompat/v7/subjects/tx-value/versions/latest?format=serialized'))).toBe(true);
    expect(rewritesSerialized('GET', u('/apis/ccompat/v7/schemas/ids/7'))).toBe(false);
    expect(rewritesSerialized('POST', u('/apis/ccompat/v7/subjects/tx-value/versions?format=serialized'))).toBe(false);
  });
});

describe('the shim in front of a registry', () => {
  const seen: string[] = [];
  let upstream: Server;
  let shim: CcompatShim;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(req.method === 'POST' ? 200 : 200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(req.method === 'POST' ? JSON.stringify({ id: 11, echoed: JSON.parse(body) as unknown }) : JSON.stringify({ schemaType: 'PROTOBUF', schema: text }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    shim = await startCcompatShim({ upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, port: 0 });
  });
  afterAll(async () => {
    await shim.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('asks the registry for the text and answers format=serialized with the base64 descriptor', async () => {
    const res = await fetch(`${shim.url}/schemas/ids/5?format=serialized`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { schema: string };
    expect(body.schema).toBe(protoTextToSerialized(text));
    expect(seen.at(-1)).toBe('GET /apis/ccompat/v7/schemas/ids/5');
  });

  it('forwards everything else unchanged, bodies included', async () => {
    const res = await fetch(`${shim.url}/subjects/tx-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: 'PROTOBUF', schema: 'x' }),
    });
    expect(await res.json()).toEqual({ id: 11, echoed: { schemaType: 'PROTOBUF', schema: 'x' } });
    expect(seen.at(-1)).toBe('POST /apis/ccompat/v7/subjects/tx-value/versions');
  });

  it('answers 502 with VIGIL_ERR_REGISTRY when the registry behind it is down', async () => {
    const dead = await startCcompatShim({ upstream: 'http://127.0.0.1:1', port: 0, timeoutMs: 2_000 });
    try {
      const res = await fetch(`${dead.url}/subjects`);
      expect(res.status).toBe(502);
      expect(((await res.json()) as { message: string }).message).toMatch(/^VIGIL_ERR_REGISTRY: the registry behind the shim/);
    } finally {
      await dead.close();
    }
  });
});
