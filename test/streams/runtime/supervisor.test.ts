import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../src/streams/errors.js';
import { StreamsSupervisor, type SupervisedStreams } from '../../../src/streams/runtime/supervisor.js';

/** A stand-in for KafkaStreams: start can be made to fail, and fail() plays a fatal error. */
class FakeStreams implements SupervisedStreams {
  started = false;
  closed = false;
  private listener: ((e: VigilError) => void) | undefined;
  constructor(private readonly startError?: Error) {}
  async start(): Promise<void> {
    if (this.startError) throw this.startError;
    this.started = true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  onError(listener: (e: VigilError) => void): this {
    this.listener = listener;
    return this;
  }
  fail(code: 'VIGIL_ERR_PRODUCTION' | 'VIGIL_ERR_CONFIG' = 'VIGIL_ERR_PRODUCTION'): void {
    this.listener?.(new VigilError(code, 'boom'));
  }
}

function harness(plan: Array<Error | undefined>) {
  const made: FakeStreams[] = [];
  const waits: number[] = [];
  const restarted: number[] = [];
  let next = 0;
  const supervisor = new StreamsSupervisor(
    () => {
      const s = new FakeStreams(plan[next++]);
      made.push(s);
      return s;
    },
    { initialBackoffMs: 100, maxBackoffMs: 250, sleep: async (ms) => void waits.push(ms), onRestart: (n) => void restarted.push(n) },
  );
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { supervisor, made, waits, restarted, settle };
}

describe('StreamsSupervisor', () => {
  it('replaces an instance that failed with a new, started one, after closing the old', async () => {
    const { supervisor, made, waits, restarted, settle } = harness([undefined, undefined]);
    await supervisor.start();
    made[0]!.fail();
    await settle();
    expect(made).toHaveLength(2);
    expect(made[0]!.closed).toBe(true);
    expect(made[1]!.started).toBe(true);
    expect(supervisor.current).toBe(made[1]);
    expect(waits).toEqual([100]);
    expect(restarted).toEqual([1]);
    expect(supervisor.restarts).toBe(1);
  });

  it('keeps trying while the broker is away, doubling the wait up to the cap', async () => {
    const down = new Error('ECONNREFUSED');
    const { supervisor, made, waits, settle } = harness([undefined, down, down, down, undefined]);
    await supervisor.start();
    made[0]!.fail();
    for (let i = 0; i < 10; i++) await settle();
    expect(waits).toEqual([100, 200, 250, 250]);
    expect(made.slice(1, 4).every((s) => s.closed)).toBe(true);
    expect(supervisor.current).toBe(made[4]);
    expect(made[4]!.started).toBe(true);
    expect(supervisor.restarts).toBe(1);
  });

  it('restarts again when a restarted instance fails later', async () => {
    const { supervisor, made, settle } = harness([undefined, undefined, undefined]);
    await supervisor.start();
    made[0]!.fail();
    await settle();
    made[1]!.fail();
    await settle();
    expect(supervisor.current).toBe(made[2]);
    expect(supervisor.restarts).toBe(2);
  });

  it('does not restart on an error a restart cannot fix', async () => {
    const { supervisor, made, settle } = harness([undefined, undefined]);
    await supervisor.start();
    made[0]!.fail('VIGIL_ERR_CONFIG');
    await settle();
    expect(made).toHaveLength(1);
    expect(supervisor.restarts).toBe(0);
  });

  it('does not retry the first start, and stops restarting once closed', async () => {
    const first = harness([new Error('no broker')]);
    await expect(first.supervisor.start()).rejects.toThrow('no broker');

    const { supervisor, made, settle } = harness([undefined, undefined]);
    await supervisor.start();
    await supervisor.close();
    made[0]!.fail();
    await settle();
    expect(made).toHaveLength(1);
    expect(made[0]!.closed).toBe(true);
  });
});
