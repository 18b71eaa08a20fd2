import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { projectRoot, runDir } from '../../src/cluster/paths.js';

describe('runDir', () => {
  const saved = { offset: process.env.VIGIL_PORT_OFFSET, dir: process.env.VIGIL_RUN_DIR };
  afterEach(() => {
    for (const [k, v] of [['VIGIL_PORT_OFFSET', saved.offset], ['VIGIL_RUN_DIR', saved.dir]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('keeps a topology on default ports in .vigil/cluster/<topology>', () => {
    delete process.env.VIGIL_PORT_OFFSET;
    delete process.env.VIGIL_RUN_DIR;
    expect(runDir('single')).toBe(join(projectRoot, '.vigil', 'cluster', 'single'));
  });

  it('gives each port offset its own directory, so runs side by side never share pid files', () => {
    delete process.env.VIGIL_RUN_DIR;
    process.env.VIGIL_PORT_OFFSET = '3000';
    const shifted = runDir('single');
    process.env.VIGIL_PORT_OFFSET = '4000';
    expect(shifted).toBe(join(projectRoot, '.vigil', 'cluster', 'single+3000'));
    expect(runDir('single')).not.toBe(shifted);
  });

  it('honours VIGIL_RUN_DIR', () => {
    process.env.VIGIL_RUN_DIR = '/tmp/vigil-runs';
    process.env.VIGIL_PORT_OFFSET = '0';
    expect(runDir('multi-region')).toBe('/tmp/vigil-runs/multi-region');
  });
});
