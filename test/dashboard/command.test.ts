import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('vigil dashboard', () => {
  it('prints the page URL with its token, serves it, and exits 0 on SIGTERM', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dashboard', '--port', '0'], {
      cwd: process.cwd(),
      env: { ...process.env, KAFKA_BROKERS: '', VIGIL_WEBHOOK_SECRET: SECRET, VIGIL_DASHBOARD_TOKEN: 'command-test-token-0123456789', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    let out = '';
    const pageUrl = await new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /dashboard: (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      proc.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    expect(pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=command-test-token-0123456789$/);
    const base = new URL(pageUrl).origin;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/alerts`)).status).toBe(401);
    expect((await fetch(pageUrl, { redirect: 'manual' })).status).toBe(302);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('explains itself with --help', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dashboard', '--help'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('usage: vigil dashboard');
    expect(out).toContain('--secret ref');
    expect(out).toContain('--brokers list');
  });
});
