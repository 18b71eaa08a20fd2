import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startDashboard } from '../../../src/dashboard/server.js';
import { systemClock } from '../../../src/streams/index.js';
import { dispatcherConfig } from '../../../src/webhook/config.js';
import { WebhookDispatcher } from '../../../src/webhook/dispatcher.js';
import { seededRandom } from '../../../src/webhook/scheduler.js';
import { WebhookSecret } from '../../../src/webhook/secret.js';
import { webhookId } from '../../../src/webhook/webhook-id.js';
import { framedAlert } from '../../webhook/alert-fixture.js';
import { admin, connection, producer, uniqueName } from '../helpers.js';
import { demoAlert } from './demo-alerts.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe('fraud operations page in Chromium', () => {
  it('shows an alert produced to the alerts topic, with its reasons, moments after it is appended', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`).toBe(true);
    const log = pino({ level: 'warn' });
    const secret = WebhookSecret.parse(WebhookSecret.generate(Buffer.alloc(32, 5)));
    const token = 'browser-test-token-0123456789';
    const dashboard = await startDashboard({ port: 0, token, secrets: [secret], clock: systemClock, log });
    onTestFinished(() => dashboard.close());

    const topic = uniqueName('alerts');
    const a = await admin();
    await a.createTopics([{ topic, partitions: 3 }]);
    const p = await producer();
    const dispatcher = await WebhookDispatcher.start(
      dispatcherConfig({
        brokers: connection().brokers,
        alertsTopic: topic,
        groupId: uniqueName('dispatcher'),
        dlqTopic: `${topic}.dlq`,
        stateTopic: `${topic}.state`,
        endpoints: [{ name: 'dashboard', url: `${dashboard.url}/webhooks/alerts`, secrets: [secret] }],
      }),
      { log },
    );
    onTestFinished(() => dispatcher.stop());

    // Some history first, so the page has something to chart.
    const random = seededRandom(7);
    const history = Array.from({ length: 24 }, (_, n) => demoAlert(n, random, topic));
    await p.send(history.map((alert, n) => ({ topic, partition: n % 3, key: alert.transaction!.card_id, value: framedAlert(alert), timestamp: Date.now() - Math.round(40 + random() * 400) })));
    await vi.waitFor(() => expect(dashboard.feed.stats().total).toBe(24), { timeout: 60_000, interval: 100 });

    const userDataDir = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1000 },
    });
    onTestFinished(async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(dashboard.pageUrl);
    expect(page.url()).toBe(`${dashboard.url}/`); // the token moved from the URL into a cookie
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('[data-alert-id]').count()).toBe(24);

    // The measured alert: impossible travel on a card that already has history.
    const alert = demoAlert(2, seededRandom(99), topic);
    alert.source = { topic: `${topic}.transactions`, partition: 0, offset: 99_999 };
    alert.transaction!.card_id = history[2]!.transaction!.card_id;
    alert.transaction!.terminal_location = { latitude: alert.transaction!.latitude, longitude: alert.transaction!.longitude, accuracy_m: 0 };
    const id = webhookId(alert.source);
    const appendedAt = Date.now();
    await p.send([{ topic, partition: 0, key: alert.transaction!.card_id, value: framedAlert(alert), timestamp: appendedAt }]);
    const item = page.locator(`[data-alert-id="${id}"]`);
    await item.waitFor({ timeout: 30_000 });
    const visibleMs = Date.now() - appendedAt;
    await expect.poll(() => item.getByTestId('reasons').innerText()).toContain('geo velocity');
    expect(await item.getByTestId('reasons').innerText()).toMatch(/time since previous \d+ (s|min)/);
    // The newest alert is selected: its detail lists the reasons and the card's recent transactions.
    await expect.poll(() => page.getByTestId('why').innerText()).toContain('impossible travel between regions');
    await expect.poll(() => page.locator('table.tx tbody tr').count()).toBeGreaterThanOrEqual(2);
    // Values are shown by the feature's kind: a flag as yes/no, a speed in km/h, never as money.
    const whyValue = (name: string) => page.locator('.why-row', { hasText: name }).locator('.why-value').innerText();
    await expect.poll(() => whyValue('typical spend known')).toBe('no');
    expect(await whyValue('geo velocity')).toMatch(/^[\d,]+ km\/h$/);
    // The contract's located fields: an in-person payment shows its terminal, no payer position.
    expect(await page.getByTestId('terminal-location').innerText()).toBe(`${alert.transaction!.latitude.toFixed(3)}, ${alert.transaction!.longitude.toFixed(3)}`);
    expect(await page.getByTestId('payer-location').count()).toBe(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.waitForTimeout(300); // let the highlight settle a little for the picture
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    console.log(`browser: alert appended → visible on the page with its reasons in ${visibleMs} ms; screenshot test-artifacts/dashboard.png`);
    expect(visibleMs).toBeLessThan(10_000);
  });
});
