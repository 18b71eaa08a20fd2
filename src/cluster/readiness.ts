import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAdmin } from '../streams/kafka/index.js';
import { ClusterError } from './errors.js';
import { isAlive } from './jvm-process.js';

export interface WaitTarget {
  name: string;
  pid: number;
  /** Log files whose tail explains a failure. */
  logs: string[];
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Polls `check` until it answers true. Fails fast, with the log tail, if the
 * JVM exits, and with the same tail when `timeoutMs` passes.
 */
export async function waitUntil(
  target: WaitTarget,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (!isAlive(target.pid)) {
      throw new ClusterError(
        'VIGIL_ERR_PROCESS_EXITED',
        `${target.name} exited during start-up. Last lines of its log:\n${target.logs.map((l) => tail(l)).join('\n')}`,
      );
    }
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      throw new ClusterError(
        'VIGIL_ERR_START_TIMEOUT',
        `${target.name} was not ready after ${Math.round(timeoutMs / 1000)} s ` +
          `(raise VIGIL_START_TIMEOUT_MS on a slow machine). Last lines of its log:\n${target.logs.map((l) => tail(l)).join('\n')}`,
      );
    }
    await sleep(250);
  }
}

/** True when an admin request round-trips: the broker is really serving. */
export async function brokerAnswers(bootstrap: string): Promise<boolean> {
  const admin = await connectAdmin({ brokers: [bootstrap], connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, retries: 0 });
  try {
    await admin.listTopics();
    return true;
  } finally {
    await admin.close();
  }
}

export async function registryAnswers(url: string): Promise<boolean> {
  const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}

export async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const admin = await connectAdmin({ brokers: [bootstrap], connectionTimeoutMs: 1_000, retries: 0 });
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.close();
  }
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
