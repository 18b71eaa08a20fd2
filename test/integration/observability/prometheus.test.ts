import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusHandle } from '../../../src/cluster/prometheus.js';
import { createMetricsRegistry, createStreamsMetrics, serveMetrics, type MetricsServer } from '../../../src/metrics/index.js';
import { Consumed, Produced, Serdes, StreamsBuilder } from '../../../src/streams/index.js';
import { KafkaStreams } from '../../../src/streams/runtime/index.js';
import { admin, connection, producer, readRecords, uniqueName } from '../helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(500);
  }
  return undefined;
}

describe('a real Prometheus scrapes the engine', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('scrapes /metrics while the engine processes records, and PromQL quantiles come back', async () => {
    const input = uniqueName('prom-in');
    const output = uniqueName('prom-out');
    await (await admin()).createTopics([
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);

    const registry = createMetricsRegistry({ service: 'engine' });
    const server: MetricsServer = await serveMetrics(registry);
    cleanups.push(() => server.close());

    const builder = new StreamsBuilder();
    builder
      .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
      .groupByKey()
      .count()
      .toStream()
      .to(output, Produced.with(Serdes.String(), Serdes.Number()));
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
    cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    const streams = new KafkaStreams(builder.build(), {
      applicationId: uniqueName('prom-app'),
      brokers: connection().brokers,
      stateDir,
      metrics: createStreamsMetrics(registry),
    });
    cleanups.push(() => streams.close());

    const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    const prometheus: PrometheusHandle = await startPrometheus({
      dir,
      port: await freePort(),
      targets: { 'vigil-engine': [new URL(server.url).host] },
      scrapeIntervalSeconds: 1,
      ownerPid: process.pid,
    });
    cleanups.push(async () => {
      await prometheus.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    await streams.start();
    await streams.waitForState('RUNNING');
    // Prometheus applies new targets up to 5 s after it starts; records sent
    // before its first scrape would all land before the first sample, and a
    // rate over them would be zero.
    const scraped = await eventually(async () => {
      const [sample] = await prometheus.query('up{job="vigil-engine"}');
      return sample?.value[1] === '1' ? true : undefined;
    }, 30_000);
    expect(scraped).toBe(true);

    // Records arrive over a few seconds so several scrapes see them move.
    const p = await producer();
    const total = 2_000;
    for (let batch = 0; batch < 10; batch++) {
      await p.send(Array.from({ length: total / 10 }, (_, i) => ({ topic: input, key: `card-${(batch * 200 + i) % 50}`, value: 'tx' })));
      await sleep(300);
    }
    const out = await readRecords([output], 50, { timeoutMs: 60_000 });
    expect(out.length).toBeGreaterThanOrEqual(50);

    const processed = await eventually(async () => {
      const [sample] = await prometheus.query('sum(vigil_stream_records_processed_total{job="vigil-engine"})');
      const value = sample ? Number(sample.value[1]) : 0;
      return value >= total ? value : undefined;
    }, 30_000);
    expect(processed).toBe(total);

    const p99 = await eventually(async () => {
      const [sample] = await prometheus.query(
        'histogram_quantile(0.99, sum(rate(vigil_stream_record_process_seconds_bucket{job="vigil-engine"}[1m])) by (le))',
      );
      const value = sample ? Number(sample.value[1]) : NaN;
      return Number.isFinite(value) ? value : undefined;
    }, 30_000);
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(2.5);

    // Node's default metrics come along with the engine's.
    const [rss] = await prometheus.query('vigil_process_resident_memory_bytes{job="vigil-engine"}');
    expect(Number(rss?.value[1])).toBeGreaterThan(10 * 1024 * 1024);
  });
});
