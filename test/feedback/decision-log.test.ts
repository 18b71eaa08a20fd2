import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryDecisionLog, StoredDecisionLog, type StoredDecisionLogOptions } from '../../src/feedback/decision-log.js';
import { ShadowOutcomes, type DecidedTransaction } from '../../src/feedback/shadow-outcomes.js';
import { createLogger } from '../../src/log.js';
import { ManualClock, ManualTimers } from '../../src/streams/index.js';

const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const decision = (id: string, live: boolean, shadow?: boolean): DecidedTransaction => ({
  transactionId: id,
  live: { version: 'a', alerted: live },
  ...(shadow === undefined ? {} : { shadow: { version: 'b', alerted: shadow } }),
});

/** An engine's view across restarts: one state dir, a manual clock, a log opened and loaded as the engine does. */
function engineLike(o: Partial<StoredDecisionLogOptions> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-decisions-'));
  dirs.push(stateDir);
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const timers = new ManualTimers(clock);
  const open = async () => {
    const ref: { outcomes?: ShadowOutcomes } = {};
    const log = await StoredDecisionLog.open({ stateDir, applicationId: 'app', clock, timers, log: createLogger('test', 'silent'), onExpired: (d) => ref.outcomes?.forget(d), ...o });
    const outcomes = (ref.outcomes = new ShadowOutcomes(log));
    for await (const d of log.load()) outcomes.restored(d);
    return { log, outcomes };
  };
  return { clock, timers, open };
}

describe('StoredDecisionLog', () => {
  it('keeps decisions across a restart: labels that arrive after it still find them', async () => {
    const engine = engineLike();
    const first = await engine.open();
    first.outcomes.decided(decision('t1', true, false));
    first.outcomes.decided(decision('t2', false, true));
    first.outcomes.decided(decision('t3', false, false));
    await first.log.close();

    const second = await engine.open();
    // The label topics are read again from the beginning after a restart; here the labels are new.
    second.outcomes.chargeback('t1');
    second.outcomes.chargeback('t2');
    second.outcomes.verdict('t3', 'VERDICT_FALSE_POSITIVE');
    const byRole = Object.fromEntries(second.outcomes.outcomes().map((x) => [x.role, x]));
    expect(byRole.live).toMatchObject({ labelled: 3, labelledFraud: 2, alertedFraud: 1, precision: 1, recall: 0.5 });
    expect(byRole.shadow).toMatchObject({ labelled: 3, labelledFraud: 2, alertedFraud: 1, precision: 1, recall: 0.5 });
    await second.log.close();
  });

  it('answers reads synchronously before and after its once-a-second flush, and a re-decision replaces the first', async () => {
    const engine = engineLike();
    const { log, outcomes } = await engine.open();
    outcomes.decided(decision('t1', false));
    expect(log.get('t1')).toEqual(decision('t1', false));
    engine.timers.advance(1_000); // the flush timer fires
    await vi.waitFor(async () => {
      await log.flush();
      expect(log.get('t1')).toEqual(decision('t1', false));
    });
    outcomes.decided(decision('t1', true)); // reprocessed after a crash, decided again
    outcomes.chargeback('t1');
    expect(outcomes.outcomes()[0]).toMatchObject({ labelled: 1, alertedFraud: 1 });
    await log.close();
  });

  it('deletes decisions past retention at load and at the hourly sweep, and their labels stop counting', async () => {
    const engine = engineLike({ retentionMs: 10 * DAY });
    const first = await engine.open();
    first.outcomes.decided(decision('old', true));
    engine.clock.advance(8 * DAY);
    first.outcomes.decided(decision('new', true));
    first.outcomes.chargeback('old');
    first.outcomes.chargeback('new');
    expect(first.outcomes.outcomes()[0]).toMatchObject({ labelledFraud: 2 });
    // Three more days: 'old' is 11 days old. The sweep deletes it and its counts go.
    engine.timers.advance(3 * DAY);
    await vi.waitFor(() => expect(first.outcomes.outcomes()[0]).toMatchObject({ labelledFraud: 1, alertedFraud: 1 }));
    expect(first.log.get('old')).toBeUndefined();
    await first.log.close();
    // 20 days on, a restart loads nothing: 'new' expired while the engine was down.
    engine.clock.advance(20 * DAY);
    const second = await engine.open();
    second.outcomes.chargeback('new');
    expect(second.outcomes.outcomes()).toEqual([]);
    await second.log.close();
  });
});

describe('MemoryDecisionLog', () => {
  it('keeps the latest N and reports what it drops', () => {
    const log = new MemoryDecisionLog(2);
    expect(log.set(decision('t1', true))).toEqual([]);
    expect(log.set(decision('t2', true))).toEqual([]);
    expect(log.set(decision('t1', false))).toEqual([]); // replaced, moved to the newest end
    expect(log.set(decision('t3', true)).map((d) => d.transactionId)).toEqual(['t2']);
  });
});
