import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { startDashboard } from '../../../src/dashboard/server.js';
import { KafkaFeedbackSink } from '../../../src/feedback/feedback-sink.js';
import { ALERT_FEEDBACK_MESSAGE, feedbackSchemaText, type AlertFeedback } from '../../../src/feedback/schema.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { systemClock } from '../../../src/streams/index.js';
import { seededRandom } from '../../../src/webhook/scheduler.js';
import { WebhookSecret } from '../../../src/webhook/secret.js';
import { connection, readRecords, uniqueName } from '../helpers.js';
import { demoAlert } from './demo-alerts.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('analyst verdicts in Chromium', () => {
  it('a clicked verdict and a keyboard verdict land on the compacted alert-feedback topic, keyed by transaction id', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`).toBe(true);
    const log = pino({ level: 'warn' });
    const topic = uniqueName('alert-feedback');
    const sink = await KafkaFeedbackSink.start({ connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic, log });
    onTestFinished(() => sink.close());
    const secret = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 6)));
    const token = 'verdict-test-token-0123456789';
    const dashboard = await startDashboard({ port: 0, token, secrets: [secret], clock: systemClock, log, feedback: sink });
    onTestFinished(() => dashboard.close());

    // Alerts go straight onto the feed: the webhook path has its own browser test.
    const random = seededRandom(11);
    const alerts = Array.from({ length: 3 }, (_, n) => demoAlert(n, random, 'alerts'));
    alerts.forEach((a, n) => dashboard.feed.add(`msg_verdict_${n}`, a, Date.now() - 50));

    const userDataDir = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 1000 } });
    onTestFinished(async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(dashboard.pageUrl);
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('analyst').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('analyst').fill('alice');

    // A click: the oldest alert is confirmed fraud.
    await page.locator('[data-alert-id="msg_verdict_0"]').click();
    await page.locator('[data-verdict="confirmed_fraud"]').click();
    await expect.poll(() => page.getByTestId('verdict-status').innerText()).toMatch(/^Confirmed fraud by alice at /);
    // A shortcut: P on the selected alert marks it a false positive.
    await page.locator('[data-alert-id="msg_verdict_1"]').click();
    await page.locator('[data-verdict]').first().waitFor();
    await page.locator('body').press('p');
    await expect.poll(() => page.getByTestId('verdict-status').innerText()).toMatch(/^False positive by alice at /);
    await expect.poll(() => page.getByTestId('verdict-counts').innerText()).toBe('1 · 1 · 0');
    expect(await page.getByTestId('precision').innerText()).toBe('50.0%');
    expect(await page.locator('[data-alert-id="msg_verdict_0"] [data-testid="verdict-badge"]').innerText()).toBe('Confirmed fraud');

    // A fresh page load shows the verdicts the dashboard holds.
    await page.reload();
    await expect.poll(() => page.getByTestId('verdict-counts').innerText(), { timeout: 10_000 }).toBe('1 · 1 · 0');

    const records = await readRecords([topic], 2, { timeoutMs: 20_000 });
    const serde = registrySerde<AlertFeedback>({ url: inject('schemaRegistryUrl'), topics: [topic], schema: feedbackSchemaText(), messageName: ALERT_FEEDBACK_MESSAGE, refreshIntervalMs: 0 });
    await serde.prepare();
    onTestFinished(() => serde.close());
    const got = records.map((r) => ({ key: r.key?.toString(), value: serde.deserialize(topic, r.value) }));
    const byKey = new Map(got.map((g) => [g.key, g.value]));
    expect(got).toHaveLength(2);
    expect(byKey.get(alerts[0]!.transaction!.transaction_id)).toMatchObject({
      transaction_id: alerts[0]!.transaction!.transaction_id,
      alert_id: 'msg_verdict_0',
      verdict: 'VERDICT_CONFIRMED_FRAUD',
      analyst: 'alice',
      model_version: alerts[0]!.model_version,
      card_id: alerts[0]!.transaction!.card_id,
    });
    expect(byKey.get(alerts[1]!.transaction!.transaction_id)).toMatchObject({ verdict: 'VERDICT_FALSE_POSITIVE', analyst: 'alice' });
    for (const g of got) expect(Math.abs(g.value!.decided_at_ms - Date.now())).toBeLessThan(120_000);

    // A restarted dashboard starts from the verdicts on the topic.
    const again = await KafkaFeedbackSink.start({ connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic, log });
    onTestFinished(() => again.close());
    expect(again.existing().map((f) => `${f.transaction_id}=${f.verdict}`).sort()).toEqual(got.map((g) => `${g.key}=${g.value!.verdict}`).sort());

    // An unauthenticated write from outside the page is refused and writes nothing.
    const refused = await fetch(`${dashboard.url}/api/alerts/msg_verdict_2/verdict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'unsure', analyst: 'mallory' }) });
    expect(refused.status).toBe(401);
    await vi.waitFor(async () => expect((await readRecords([topic], 3, { timeoutMs: 3_000 })).length).toBe(2), { timeout: 10_000 });
  });
});
