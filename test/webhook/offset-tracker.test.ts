import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../src/webhook/offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only up to the oldest alert still in delivery', () => {
    const t = new OffsetTracker();
    for (const o of ['10', '11', '12']) t.start('alerts', 0, o);
    t.finish('alerts', 0, '11');
    t.finish('alerts', 0, '12');
    expect(t.committable()).toEqual([{ topic: 'alerts', partition: 0, offset: '10' }]);
    t.finish('alerts', 0, '10');
    expect(t.committable()).toEqual([{ topic: 'alerts', partition: 0, offset: '13' }]);
  });

  it('moves past transaction markers once nothing is pending, and reports only changes', () => {
    const t = new OffsetTracker();
    t.start('alerts', 1, '4');
    t.finish('alerts', 1, '4');
    t.seen('alerts', 1, '6'); // a commit marker at 5, an aborted record at 6
    const offsets = t.committable();
    expect(offsets).toEqual([{ topic: 'alerts', partition: 1, offset: '7' }]);
    t.markCommitted(offsets);
    expect(t.committable()).toEqual([]);
  });
});
