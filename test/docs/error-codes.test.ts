import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/cluster/paths.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('docs/errors.md', () => {
  it('documents every VIGIL_ERR_* code the source uses', () => {
    const doc = readFileSync(join(projectRoot, 'docs', 'errors.md'), 'utf8');
    const used = new Set([...sources(join(projectRoot, 'src')), ...sources(join(projectRoot, 'examples'))].flatMap((f) => readFileSync(f, 'utf8').match(/VIGIL_ERR_[A-Z_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(20);
    const undocumented = [...used].filter((code) => !doc.includes(`\`${code}\``)).sort();
    expect(undocumented).toEqual([]);
  });
});
