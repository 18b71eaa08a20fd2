import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError } from './errors.js';
import { startJvm, stopJvm } from './jvm-process.js';
import { waitUntil } from './readiness.js';

export interface PrometheusOptions {
  /** Folder for config, data and the pid file. */
  dir: string;
  port: number;
  /** `host:port` targets serving `/metrics`, per job name. */
  targets: { [job: string]: string[] };
  scrapeIntervalSeconds?: number;
  ownerPid?: number;
  binary?: string;
}

export interface PrometheusHandle {
  url: string;
  /** Runs an instant PromQL query and returns the result vector. */
  query(promql: string): Promise<Array<{ metric: { [label: string]: string }; value: [number, string] }>>;
  stop(): Promise<void>;
}

export function prometheusConfig(targets: PrometheusOptions['targets'], intervalSeconds: number): string {
  const jobs = Object.entries(targets)
    .map(
      ([job, addrs]) =>
        `  - job_name: ${JSON.stringify(job)}\n    static_configs:\n      - targets: [${addrs.map((a) => JSON.stringify(a)).join(', ')}]`,
    )
    .join('\n');
  return `global:\n  scrape_interval: ${intervalSeconds}s\n  evaluation_interval: ${intervalSeconds}s\nscrape_configs:\n${jobs}\n`;
}

/**
 * Starts Debian's Prometheus (`apt-get install prometheus`) on 127.0.0.1,
 * scraping the given targets, and waits until it is ready.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const binary = options.binary ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) {
    throw new ClusterError(
      'VIGIL_ERR_PROCESS_EXITED',
      `Prometheus is not installed at ${binary}. Install it (Debian: apt-get install prometheus) or pass its path.`,
    );
  }
  mkdirSync(options.dir, { recursive: true });
  const config = join(options.dir, 'prometheus.yml');
  writeFileSync(config, prometheusConfig(options.targets, options.scrapeIntervalSeconds ?? 1));
  const url = `http://127.0.0.1:${options.port}`;
  const rec = startJvm({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(options.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
    ],
    runDir: options.dir,
    ownerPid: options.ownerPid,
  });
  await waitUntil(
    { name: 'prometheus', pid: rec.pid, logs: [join(options.dir, 'prometheus.out')] },
    async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok,
    60_000,
  );
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { status: string; error?: string; data: { result: [] } };
      if (body.status !== 'success') throw new Error(`PromQL ${promql} failed: ${body.error}`);
      return body.data.result;
    },
    stop: async () => {
      await stopJvm(options.dir, 'prometheus', 5_000);
    },
  };
}
