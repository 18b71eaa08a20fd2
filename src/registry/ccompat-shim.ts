/**
 * A small HTTP shim in front of Apicurio Registry's Confluent-compatible API,
 * so Confluent's own Protobuf clients work through it. It forwards every
 * request unchanged except one answer Apicurio 3.3.3 gets wrong:
 *
 * `GET /schemas/ids/{id}?format=serialized` and
 * `GET /subjects/{subject}/versions/{version}?format=serialized` must carry a
 * base64 `FileDescriptorProto` (that is what Confluent's registry sends and
 * what confluent-kafka's ProtobufSerializer/Deserializer parse). Apicurio
 * pastes the raw descriptor bytes into the JSON string instead, with invalid
 * UTF-8 replaced by U+FFFD, so every Confluent Protobuf deserializer fails
 * (docs/schema-registry.md). The shim asks Apicurio for the `.proto` text
 * (the same request without `format`) and answers with the base64
 * descriptor compiled from it.
 *
 * The same detour fixes the second symptom: a Confluent serializer with
 * `auto.register.schemas` registers its base64 descriptor, which Apicurio
 * stores as is but cannot serve with `format=serialized` (HTTP 500, "Syntax
 * error in Transaction.proto:1:1"); without `format` Apicurio returns the
 * stored base64, which is already the serialized form, so the shim passes it
 * through. Schemas with references (imports) are passed through unconverted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { protoTextToSerialized } from './protobuf-descriptor.js';

export interface CcompatShimOptions {
  /** Apicurio's origin, e.g. `http://127.0.0.1:18081`; paths are forwarded as they come. */
  upstream: string;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  log?: Logger;
  /** Per-request bound for the upstream call; default 10 000 ms. */
  timeoutMs?: number;
}

export interface CcompatShim {
  /** The shim's Confluent-compatible base URL (`.../apis/ccompat/v7`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const SERIALIZED_PATH = /\/(schemas\/ids\/\d+|subjects\/[^/]+\/versions\/[^/]+)$/;

/** Whether the shim rewrites this request's answer (pure; exported for tests). */
export function rewritesSerialized(method: string, url: URL): boolean {
  return method === 'GET' && url.searchParams.get('format') === 'serialized' && SERIALIZED_PATH.test(url.pathname);
}

/**
 * Rewrites one JSON answer of Apicurio (obtained without `format`) into what
 * Confluent sends for `format=serialized`: Protobuf `.proto` text becomes a
 * base64 FileDescriptorProto; anything else is returned unchanged.
 */
export function toSerializedAnswer(body: string): string {
  let parsed: { schema?: unknown; schemaType?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return body;
  }
  if (parsed.schemaType !== 'PROTOBUF' || typeof parsed.schema !== 'string') return body;
  const serialized = protoTextToSerialized(parsed.schema);
  return serialized === undefined ? body : JSON.stringify({ ...parsed, schema: serialized });
}

export async function startCcompatShim(options: CcompatShimOptions): Promise<CcompatShim> {
  const upstream = options.upstream.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://shim');
    const rewrite = rewritesSerialized(req.method ?? 'GET', url);
    if (rewrite) url.searchParams.delete('format');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'accept', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: chunks.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    let body = Buffer.from(await answer.arrayBuffer());
    if (rewrite && answer.ok) {
      const text = toSerializedAnswer(body.toString('utf8'));
      body = Buffer.from(text);
      options.log?.debug({ path: url.pathname }, 'answered format=serialized with a base64 descriptor');
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'content-length': body.length });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log?.warn({ err, path: req.url }, 'schema registry shim: upstream request failed');
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 50201, message: `VIGIL_ERR_REGISTRY: the registry behind the shim (${upstream}) did not answer: ${(err as Error).message}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/apis/ccompat/v7`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
