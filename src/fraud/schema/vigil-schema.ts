import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { VigilMessageName } from './types.js';

/**
 * The `vigil.v1` schema as loaded from `proto/vigil/v1/vigil.proto`: its text
 * (what the registry stores), the parsed root, and the top-level messages in
 * declaration order, which is the Confluent message index (Transaction is 0,
 * UserProfile 1, ...).
 */
export interface VigilSchema {
  readonly text: string;
  readonly root: protobuf.Root;
  /** Top-level message types; `messages[i]` has message index `[i]`. */
  readonly messages: readonly protobuf.Type[];
  type(name: VigilMessageName): protobuf.Type;
  /** The Confluent message-index path of a top-level message. */
  messageIndexes(name: VigilMessageName): number[];
}

/**
 * How decoded messages become plain objects: int64 as numbers, enums as
 * names, absent fields filled in. The TS interfaces in `types.ts` assume it.
 */
export const DECODE_OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true };

export const VIGIL_PROTO_PATH = fileURLToPath(new URL('../../../proto/vigil/v1/vigil.proto', import.meta.url));

/** Parses a `.proto` text (keepCase, so fields keep their snake_case names). */
export function parseVigilSchema(text: string): VigilSchema {
  const parsed = protobuf.parse(text, { keepCase: true });
  const pkg = parsed.package ? parsed.root.lookup(parsed.package) : parsed.root;
  const messages =
    pkg instanceof protobuf.Namespace ? pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type) : [];
  const byName = new Map(messages.map((m, i) => [m.fullName.replace(/^\./, ''), { type: m, index: i }]));
  const entry = (name: string) => {
    const found = byName.get(name);
    if (!found) throw new Error(`${name} is not a top-level message of the schema`);
    return found;
  };
  return {
    text,
    root: parsed.root,
    messages,
    type: (name) => entry(name).type,
    messageIndexes: (name) => [entry(name).index],
  };
}

let cached: VigilSchema | undefined;

/** The committed schema, read once per process. */
export function vigilSchema(): VigilSchema {
  cached ??= parseVigilSchema(readFileSync(VIGIL_PROTO_PATH, 'utf8'));
  return cached;
}
