import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay } from '../../../src/fraud/replay/index.js';

const small = join(import.meta.dirname, '../../fixtures/small');

describe('replay without a cluster', () => {
  it('rejects a directory that is not a fixture before touching the network', async () => {
    const error = await replay({ fixtureDir: join(small, 'nope'), targets: { primary: ['127.0.0.1:1'] }, registryUrl: 'http://127.0.0.1:1', speed: 'max' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_FIXTURE', message: expect.stringContaining('vigil simulate') });
  });

  it('says the registry is unreachable and how to start one', async () => {
    const error = await replay({ fixtureDir: small, targets: { primary: ['127.0.0.1:1'] }, registryUrl: 'http://127.0.0.1:1/apis/ccompat/v7', speed: 'max' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_REPLAY_REGISTRY', message: expect.stringContaining('vigil kafka up') });
  });
});
