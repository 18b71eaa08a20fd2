import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

function vigil(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  // An address nothing listens on: a refusal must happen before any broker is contacted.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out, err })));
}

describe('vigil model', () => {
  it('refuses a model trained on other features, and an unknown or unsafe version, before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-models-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'bad'));
    copyFileSync('models/fraud.onnx', join(dir, 'bad', 'fraud.onnx'));
    const m = JSON.parse(readFileSync('models/fraud.metadata.json', 'utf8')) as { feature_names: string[] };
    m.feature_names = m.feature_names.slice(1);
    writeFileSync(join(dir, 'bad', 'fraud.metadata.json'), JSON.stringify(m));

    const bad = await vigil(['model', 'promote', 'bad', '--models-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('VIGIL_ERR_MODEL_METADATA');
    const missing = await vigil(['model', 'promote', 'nope', '--models-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('VIGIL_ERR_MODEL_VERSION');
    const traversal = await vigil(['model', 'shadow', '../etc', '--models-dir', dir]);
    expect(traversal.err).toContain('VIGIL_ERR_MODEL_VERSION');
  });

  it('explains itself with --help and refuses bad usage', async () => {
    const h = await vigil(['model', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('vigil model promote <version>');
    expect(h.out).toContain('Rolling back is the same command');
    const wrong = await vigil(['model', 'deploy', 'x']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('unknown action');
  });
});
