import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeMessage } from '../schema/convert.js';
import { vigilSchema } from '../schema/vigil-schema.js';
import { FraudDataError } from './errors.js';
import type { LabelledTransaction } from './events.js';
import { FIXTURE_FILES, FIXTURE_FORMAT, type FixtureManifest } from './fixture-format.js';
import type { Scenario } from './options.js';
import { NO_SHIFT } from './shift.js';
import type { Simulation } from './simulate.js';

export interface WriteFixtureOptions {
  /** Called every `progressEvery` transactions (default 5000) and at the end. */
  onProgress?(written: number, eventTimeMs: number): void;
  progressEvery?: number;
}

/**
 * Buffers output and writes it in large chunks, honouring backpressure.
 * `add` is synchronous and says when a flush is due, so the per-record path
 * costs no promise.
 */
class ChunkedWriter {
  private strings: string[] = [];
  private buffers: Buffer[] = [];
  private size = 0;
  constructor(
    readonly stream: WriteStream,
    private readonly chunkBytes = 1 << 20,
  ) {}
  addText(text: string): boolean {
    this.strings.push(text);
    this.size += text.length;
    return this.size >= this.chunkBytes;
  }
  addBytes(bytes: Buffer): boolean {
    this.buffers.push(bytes);
    this.size += bytes.length;
    return this.size >= this.chunkBytes;
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.strings.length > 0 ? Buffer.from(this.strings.join('')) : Buffer.concat(this.buffers);
    this.strings = [];
    this.buffers = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** A varint length prefix, as protobufjs' encodeDelimited writes it. */
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/**
 * Writes a simulation to `dir` in the fixture format (see fixture-format.ts),
 * creating the directory. Files are written under temporary names and
 * renamed at the end, so a crash never leaves a fixture that looks complete.
 */
export async function writeFixture(dir: string, sim: Simulation, options: WriteFixtureOptions = {}): Promise<FixtureManifest> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new FraudDataError('VIGIL_ERR_FIXTURE', `cannot create ${dir}: ${(cause as Error).message}; choose another --out directory`, { cause });
  }
  const tmp = (name: string) => join(dir, `.${name}.partial`);
  const schema = vigilSchema();
  const profileLines = sim.profiles.map((p) => JSON.stringify(p)).join('\n');
  await writeFile(tmp(FIXTURE_FILES.profiles), profileLines ? `${profileLines}\n` : '');

  const json = new ChunkedWriter(createWriteStream(tmp(FIXTURE_FILES.transactions)));
  const pb = new ChunkedWriter(createWriteStream(tmp(FIXTURE_FILES.transactionsPb)));
  const every = options.progressEvery ?? 5_000;
  const byScenario: Partial<Record<Scenario, number>> = {};
  const byRegion: Record<string, number> = {};
  let count = 0;
  let fraud = 0;
  let first = -1;
  let last = -1;
  for (const item of sim) {
    const t = item.transaction;
    if (json.addText(`${JSON.stringify(item satisfies LabelledTransaction)}\n`)) await json.flush();
    const payload = encodeMessage('vigil.v1.Transaction', t, schema);
    pb.addBytes(varint(payload.length));
    if (pb.addBytes(payload)) await pb.flush();
    count++;
    if (item.label) fraud++;
    byScenario[item.scenario] = (byScenario[item.scenario] ?? 0) + 1;
    byRegion[t.region] = (byRegion[t.region] ?? 0) + 1;
    if (first < 0) first = t.event_time_ms;
    last = t.event_time_ms;
    if (count % every === 0) options.onProgress?.(count, t.event_time_ms);
  }
  await Promise.all([json.close(), pb.close()]);
  options.onProgress?.(count, last);

  const o = sim.options;
  const manifest: FixtureManifest = {
    format: FIXTURE_FORMAT,
    seed: o.seed,
    users: o.users,
    days: o.days,
    start_ms: sim.startMs,
    end_ms: sim.endMs,
    fraud_rate: o.fraudRate,
    scenarios: [...o.scenarios],
    ...(o.shift === NO_SHIFT ? {} : { shift: o.shift }),
    counts: { profiles: sim.profiles.length, transactions: count, fraud, by_scenario: byScenario, by_region: byRegion },
    first_event_ms: first,
    last_event_ms: last,
  };
  await writeFile(tmp(FIXTURE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  // The manifest is renamed last: its presence means the fixture is complete.
  for (const name of [FIXTURE_FILES.profiles, FIXTURE_FILES.transactions, FIXTURE_FILES.transactionsPb, FIXTURE_FILES.manifest]) {
    await rename(tmp(name), join(dir, name));
  }
  return manifest;
}
