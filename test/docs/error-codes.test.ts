import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cluster/paths.js';
import { ERROR_TABLES, renderErrorsDoc } from '../../src/commands/error-catalog.js';
import { isVigilError } from '../../src/streams/errors.js';
import { ClusterError } from '../../src/cluster/errors.js';
import { UsageError } from '../../src/commands/command.js';
import { FraudError } from '../../src/fraud/errors.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const tabled = new Map(ERROR_TABLES.flatMap((t) => Object.keys(t.codes).map((code) => [code, t.module] as const)));
const files = [...sources(join(projectRoot, 'src')), ...sources(join(projectRoot, 'examples'))].map((f) => ({ path: relative(projectRoot, f), text: readFileSync(f, 'utf8') }));

describe('error codes', () => {
  it('docs/errors.md is exactly what the code tables generate (run `npm run docs:errors`)', () => {
    expect(readFileSync(join(projectRoot, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorsDoc());
  });

  it('every VIGIL_ERR_* code the source uses is in a table', () => {
    const used = new Set(files.flatMap((f) => f.text.match(/VIGIL_ERR_[A-Z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((code) => !tabled.has(code)).sort()).toEqual([]);
  });

  it('no table lists a code that nothing throws or writes', () => {
    // Tables spell codes as unquoted keys; a use is the quoted string.
    const unused = [...tabled.keys()].filter((code) => !files.some((f) => f.text.includes(`'${code}'`)));
    expect(unused).toEqual([]);
  });

  it('each code belongs to one table', () => {
    const all = ERROR_TABLES.flatMap((t) => Object.keys(t.codes));
    expect(all.length).toBe(new Set(all).size);
  });

  it('every module error is one family: a VigilError with code, cause and canRetry', () => {
    const cause = new Error('root');
    for (const error of [new ClusterError('VIGIL_ERR_PORT_IN_USE', 'taken', { cause }), new FraudError('VIGIL_ERR_FRAUD_CONFIG', 'bad'), new UsageError('no such flag')]) {
      expect(isVigilError(error)).toBe(true);
      expect(error.code).toMatch(/^VIGIL_ERR_/);
      expect(error.canRetry).toBe(false);
    }
    expect(new ClusterError('VIGIL_ERR_PORT_IN_USE', 'taken', { cause, canRetry: true })).toMatchObject({ cause, canRetry: true, name: 'ClusterError' });
    expect(new UsageError('x').code).toBe('VIGIL_ERR_USAGE');
  });
});
