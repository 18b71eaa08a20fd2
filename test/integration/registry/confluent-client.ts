import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../../src/cluster/paths.js';

const VENV = join(projectRoot, '.vigil', 'confluent-venv');
const CLIENT = join(projectRoot, 'interop', 'confluent', 'client.py');

/** Creates the project's venv with the pinned confluent-kafka once (interop/confluent/setup.sh); later calls return at once. */
export function ensureConfluentClient(): void {
  const res = spawnSync(join(projectRoot, 'interop', 'confluent', 'setup.sh'), { encoding: 'utf8', timeout: 600_000, env: { ...process.env, VIGIL_CONFLUENT_VENV: VENV } });
  if (res.status !== 0) throw new Error(`interop/confluent/setup.sh failed (needs python3 with venv and PyPI):\n${res.stdout}\n${res.stderr}`);
}

/** Runs interop/confluent/client.py with `args`, feeding `input` lines; resolves with its JSON-lines output. */
export function runConfluentClient(args: string[], input: readonly object[] = [], timeoutMs = 120_000): Promise<Array<{ [key: string]: unknown }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(VENV, 'bin', 'python'), [CLIENT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`client.py ${args[0]} exited with ${code ?? signal}:\n${err.slice(-3000)}`));
      resolve(out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { [key: string]: unknown }));
    });
    for (const line of input) child.stdin.write(`${JSON.stringify(line)}\n`);
    child.stdin.end();
  });
}
