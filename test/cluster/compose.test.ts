import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryArgs } from '../../src/cluster/cluster.js';
import { renderCompose } from '../../src/cluster/compose.js';
import { projectRoot } from '../../src/cluster/paths.js';
import { describeTopology } from '../../src/cluster/topology.js';

describe('deploy/docker-compose.yml', () => {
  const rendered = renderCompose();

  it('is exactly what the shared topology description generates (run `npm run deploy:generate` after changing it)', () => {
    for (const [path, content] of Object.entries(rendered)) {
      expect(readFileSync(join(projectRoot, path), 'utf8'), path).toBe(content);
    }
  });

  it("is valid for Debian's docker-compose (no engine needed)", () => {
    const res = spawnSync('docker-compose', ['config', '-q'], { cwd: join(projectRoot, 'deploy'), encoding: 'utf8' });
    expect(res.error, 'docker-compose is not installed: apt-get install docker-compose').toBeUndefined();
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('has the same clusters, ports and topics as the local multi-region topology', () => {
    const res = spawnSync('docker-compose', ['config', '--services'], { cwd: join(projectRoot, 'deploy'), encoding: 'utf8' });
    const services = res.stdout.trim().split('\n').sort();
    const topology = describeTopology('multi-region', 0);
    for (const cluster of topology.clusters) {
      expect(services).toContain(`kafka-${cluster.name}`);
      expect(rendered['deploy/docker-compose.yml']).toContain(`"${cluster.port}:${cluster.port}"`);
      for (const topic of cluster.topics) {
        expect(rendered['deploy/docker-compose.yml']).toContain(`--bootstrap-server kafka-${cluster.name}:9092 --create --if-not-exists --topic ${topic.name} --partitions ${topic.partitions}`);
      }
    }
    expect(services).toEqual(
      expect.arrayContaining(['mirror-maker', 'apicurio', 'prometheus', 'grafana', 'vigil-engine', 'vigil-dispatcher', 'vigil-dashboard']),
    );
    const mm2 = rendered['deploy/mirror-maker/mm2.properties']!;
    for (const flow of topology.mirrors) {
      expect(mm2).toContain(`${flow.source}->${flow.target}.enabled=true`);
      expect(mm2).toContain(`${flow.source}->${flow.target}.topics=${flow.topics.join(',')}`);
    }
  });

  it('runs the registry on the same kafkasql storage as the local cluster manager, on the central cluster', () => {
    const topology = describeTopology('multi-region', 0);
    const local = registryArgs(topology, '/app').filter((a) => a.startsWith('-Dapicurio.'));
    expect(local).toEqual(['-Dapicurio.storage.kind=kafkasql', '-Dapicurio.kafkasql.bootstrap.servers=127.0.0.1:29092', '-Dapicurio.kafkasql.consumer.poll.timeout=1000']);
    const compose = rendered['deploy/docker-compose.yml']!;
    expect(compose).toContain('APICURIO_STORAGE_KIND: "kafkasql"');
    expect(compose).toContain('APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: "kafka-central:9092"');
    expect(compose).toContain('APICURIO_KAFKASQL_CONSUMER_POLL_TIMEOUT: "1000"');
  });
});
