import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../../src/streams/errors.js';
import { LevelDbBytesStore } from '../../../../src/streams/state/internal/level-db-bytes-store.js';
import { useStateDirs } from '../helpers.js';

describe('LevelDbBytesStore', () => {
  const dirs = useStateDirs();

  it('refuses a second open of the same store directory with a retriable VIGIL_ERR_STATE_STORE', async () => {
    const stateDir = await dirs.tempDir();
    const ctx = { applicationId: 'app', taskId: '0_0', stateDir };
    await dirs.track(new LevelDbBytesStore('kv')).init(ctx);
    const second = new LevelDbBytesStore('kv');
    const error = await second.init(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVigilError(error, 'VIGIL_ERR_STATE_STORE')).toBe(true);
    expect((error as { canRetry: boolean }).canRetry).toBe(true);
    expect((error as Error).message).toContain('locked');
  });
});
