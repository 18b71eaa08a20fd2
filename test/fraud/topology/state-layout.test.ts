import { describe, expect, it } from 'vitest';
import { checkStateLayout } from '../../../src/fraud/topology/state-layout.js';

const admin = (topics: string[]) => ({ partitionCount: async (t: string) => (topics.includes(t) ? 4 : 0) });

describe('checkStateLayout', () => {
  it('refuses an application whose card state is in the old layout, naming the topics and the way to rebuild', async () => {
    const check = checkStateLayout(admin(['vigil-fraud-fraud-card-state-changelog', 'vigil-fraud-fraud-dedupe-changelog', 'transactions']), 'vigil-fraud');
    await expect(check).rejects.toMatchObject({ code: 'VIGIL_ERR_FRAUD_STATE_LAYOUT' });
    await expect(check).rejects.toThrow(/vigil-fraud-fraud-card-state-changelog, vigil-fraud-fraud-dedupe-changelog.*--app-id vigil-fraud-v2/);
  });

  it('starts a new application, and one already on the new layout even if old changelogs remain', async () => {
    await expect(checkStateLayout(admin(['transactions']), 'vigil-fraud')).resolves.toBeUndefined();
    await expect(checkStateLayout(admin(['vigil-fraud-fraud-card-changelog', 'vigil-fraud-fraud-card-state-changelog']), 'vigil-fraud')).resolves.toBeUndefined();
    // Another application's old state is not this one's business.
    await expect(checkStateLayout(admin(['other-fraud-card-state-changelog']), 'vigil-fraud')).resolves.toBeUndefined();
  });
});
