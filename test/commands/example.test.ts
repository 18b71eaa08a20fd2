import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/commands/command.js';
import { EXAMPLES, exampleCommand } from '../../src/commands/example.js';
import { createLogger } from '../../src/log.js';

// Only the argument checks: they run before the command touches the cluster.
const cmd = exampleCommand(createLogger('test', 'silent'));

describe('vigil example', () => {
  it('lists both examples in its usage', () => {
    expect(EXAMPLES).toEqual(['notifications', 'order-saga']);
    expect(cmd.usage).toMatch(/vigil example <notifications\|order-saga>/);
  });

  it('refuses an unknown example and names the known ones', async () => {
    await expect(cmd.run(['checkout'])).rejects.toThrow(new UsageError('name an example: notifications or order-saga (not "checkout")'));
    await expect(cmd.run([])).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses a count below one', async () => {
    await expect(cmd.run(['order-saga', '--count', '0'])).rejects.toThrow(/--count must be an integer ≥ 1, got "0"/);
  });
});
