import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DashboardErrorCodes } from '../../src/dashboard/errors.js';
import { WebhookErrorCodes } from '../../src/webhook/errors.js';

describe('error codes', () => {
  it('documents every webhook and dashboard error code in docs/webhooks.md', () => {
    const doc = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
    const missing = [...Object.keys(WebhookErrorCodes), ...Object.keys(DashboardErrorCodes)].filter((code) => !doc.includes(`| \`${code}\` |`));
    expect(missing).toEqual([]);
  });
});
