import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { decodeMessage } from '../schema/convert.js';
import type { Transaction, UserProfile } from '../schema/types.js';
import { vigilSchema } from '../schema/vigil-schema.js';
import { FraudDataError } from './errors.js';
import type { LabelledTransaction } from './events.js';
import { FIXTURE_FILES, FIXTURE_FORMAT, type FixtureManifest } from './fixture-format.js';

const hint = 'generate one with `vigil simulate --out <dir>` (or use test/fixtures/small)';

function fixtureError(message: string, cause?: unknown): FraudDataError {
  return new FraudDataError('VIGIL_ERR_FIXTURE', message, { cause });
}

async function requireFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  try {
    await access(path);
  } catch (cause) {
    throw fixtureError(`${path} is missing: ${dir} is not a complete fixture; ${hint}`, cause);
  }
  return path;
}

/** Reads and checks `manifest.json`. */
export async function readManifest(dir: string): Promise<FixtureManifest> {
  const path = await requireFile(dir, FIXTURE_FILES.manifest);
  let manifest: FixtureManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as FixtureManifest;
  } catch (cause) {
    throw fixtureError(`${path} is not valid JSON: ${(cause as Error).message}; ${hint}`, cause);
  }
  if (manifest.format !== FIXTURE_FORMAT) {
    throw fixtureError(`${path} has format ${JSON.stringify(manifest.format)}, expected ${FIXTURE_FORMAT}; regenerate the fixture with this version`);
  }
  return manifest;
}

async function* lines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const line of rl) {
    number++;
    if (line.length > 0) yield { line, number };
  }
}

function parseLine<T>(path: string, line: string, number: number): T {
  try {
    return JSON.parse(line) as T;
  } catch (cause) {
    throw fixtureError(`${path}:${number} is not valid JSON: ${(cause as Error).message}`, cause);
  }
}

export async function readProfiles(dir: string): Promise<UserProfile[]> {
  const path = await requireFile(dir, FIXTURE_FILES.profiles);
  const out: UserProfile[] = [];
  for await (const { line, number } of lines(path)) out.push(parseLine<UserProfile>(path, line, number));
  return out;
}

/** The labelled transactions from `transactions.ndjson`, in file (event-time) order. */
export async function* readLabelledTransactions(dir: string): AsyncGenerator<LabelledTransaction> {
  const path = await requireFile(dir, FIXTURE_FILES.transactions);
  for await (const { line, number } of lines(path)) yield parseLine<LabelledTransaction>(path, line, number);
}

/**
 * The transactions from `transactions.pb` (length-delimited Protobuf), in
 * file order, with the raw payload of each for callers that frame it as is.
 */
export async function* readTransactionsPb(dir: string): AsyncGenerator<{ transaction: Transaction; payload: Buffer }> {
  const path = await requireFile(dir, FIXTURE_FILES.transactionsPb);
  const schema = vigilSchema();
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    pending = offset < pending.length ? Buffer.concat([pending.subarray(offset), chunk as Buffer]) : (chunk as Buffer);
    offset = 0;
    for (;;) {
      const header = readVarint(pending, offset);
      if (!header || header.end + header.value > pending.length) break; // wait for more bytes
      const payload = pending.subarray(header.end, header.end + header.value);
      offset = header.end + header.value;
      let transaction: Transaction;
      try {
        transaction = decodeMessage('vigil.v1.Transaction', payload, schema);
      } catch (cause) {
        throw fixtureError(`${path} holds a record that is not a vigil.v1.Transaction: ${(cause as Error).message}; regenerate the fixture`, cause);
      }
      yield { transaction, payload };
    }
  }
  if (offset < pending.length) throw fixtureError(`${path} ends in the middle of a record: the file is truncated; regenerate the fixture`);
}

function readVarint(buf: Buffer, start: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (start + i >= buf.length) return undefined;
    const byte = buf[start + i] as number;
    value |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) === 0) return { value: value >>> 0, end: start + i + 1 };
  }
  throw fixtureError('a length prefix in transactions.pb is longer than 5 bytes: the file is corrupt; regenerate the fixture');
}
