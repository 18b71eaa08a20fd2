import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryArgs } from '../../src/cluster/cluster.js';
import { COMPOSE_LOCATIONS, renderCompose } from '../../src/cluster/compose.js';
import { projectRoot } from '../../src/cluster/paths.js';
import { describeTopology } from '../../src/cluster/topology.js';

const rendered = renderCompose();

it('the committed compose files and what they mount are exactly what the shared topology description generates (run `npm run deploy:generate` after changing it)', () => {
  for (const [path, content] of Object.entries(rendered)) {
    expect(readFileSync(join(projectRoot, path), 'utf8'), path).toBe(content);
  }
});

describe.each(COMPOSE_LOCATIONS.map((at) => [at.file]))('%s', (file) => {
  const cwd = join(projectRoot, dirname(file));
  const compose = (...args: string[]) => spawnSync('docker-compose', ['-f', join(projectRoot, file), ...args], { cwd, encoding: 'utf8' });

  it("is valid for Debian's docker-compose (no engine needed)", () => {
    const res = compose('config', '-q');
    expect(res.error, 'docker-compose is not installed: apt-get install docker-compose').toBeUndefined();
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('mounts files that exist in deploy/, and builds from the repository root', () => {
    const res = compose('config');
    expect(res.status).toBe(0);
    // docker-compose prints each mount with its host path resolved against the file's folder.
    const mounts = [...res.stdout.matchAll(/^\s+- (\/[^:\s]+):/gm)].map((m) => m[1]!);
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const source of mounts) {
      expect(source.startsWith(join(projectRoot, 'deploy') + '/'), source).toBe(true);
      expect(existsSync(source), source).toBe(true);
    }
    expect(res.stdout).toContain(`context: ${projectRoot}\n`);
  });

  it('has the same clusters, ports and topics as the local multi-region topology', () => {
    const services = compose('config', '--services').stdout.trim().split('\n').sort();
    const text = rendered[file]!;
    const topology = describeTopology('multi-region', 0);
    for (const cluster of topology.clusters) {
      expect(services).toContain(`kafka-${cluster.name}`);
      expect(text).toContain(`"${cluster.port}:${cluster.port}"`);
      for (const topic of cluster.topics) {
        expect(text).toContain(`--bootstrap-server kafka-${cluster.name}:9092 --create --if-not-exists --topic ${topic.name} --partitions ${topic.partitions}`);
      }
    }
    expect(services).toEqual(
      expect.arrayContaining(['mirror-maker', 'apicurio', 'prometheus', 'grafana', 'vigil-engine', 'vigil-dispatcher', 'vigil-dashboard']),
    );
  });

  it('runs the registry on the same kafkasql storage as the local cluster manager, on the central cluster', () => {
    const topology = describeTopology('multi-region', 0);
    const local = registryArgs(topology, '/app').filter((a) => a.startsWith('-Dapicurio.'));
    expect(local).toEqual(['-Dapicurio.storage.kind=kafkasql', '-Dapicurio.kafkasql.bootstrap.servers=127.0.0.1:29092', '-Dapicurio.kafkasql.consumer.poll.timeout=1000']);
    const compose = rendered[file]!;
    expect(compose).toContain('APICURIO_STORAGE_KIND: "kafkasql"');
    expect(compose).toContain('APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: "kafka-central:9092"');
    expect(compose).toContain('APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT: "1000"');
  });
});

it('MirrorMaker 2 mirrors every flow of the topology', () => {
  const mm2 = rendered['deploy/mirror-maker/mm2.properties']!;
  for (const flow of describeTopology('multi-region', 0).mirrors) {
    expect(mm2).toContain(`${flow.source}->${flow.target}.enabled=true`);
    expect(mm2).toContain(`${flow.source}->${flow.target}.topics=${flow.topics.join(',')}`);
  }
});
