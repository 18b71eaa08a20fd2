import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError, USE_EXISTING_CLUSTER_HINT } from './errors.js';

export interface JavaRuntime {
  /** Path of the `java` executable. */
  bin: string;
  major: number;
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` or `"1.8.0_392"` on stderr. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

function probe(bin: string): JavaRuntime | undefined {
  // `java -version` writes to stderr; spawnSync hands back both streams.
  const res = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (res.error) return undefined;
  const major = parseJavaMajor(`${res.stderr}${res.stdout}`);
  return major === undefined ? undefined : { bin, major };
}

function candidates(): string[] {
  const list: string[] = [];
  for (const env of ['VIGIL_JAVA_HOME', 'JAVA_HOME']) {
    const home = process.env[env];
    if (home) list.push(join(home, 'bin', 'java'));
  }
  list.push('java');
  for (const root of ['/usr/lib/jvm', '/opt/java', '/usr/local/lib/jvm']) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      const bin = join(root, entry, 'bin', 'java');
      if (existsSync(bin)) list.push(bin);
    }
  }
  return list;
}

const cache = new Map<number, JavaRuntime>();

/**
 * The first Java at least `minMajor` found in VIGIL_JAVA_HOME, JAVA_HOME,
 * PATH, then the usual JVM folders. Kafka 4.1 needs 17; Apicurio Registry
 * 3.3 is compiled for 21 (class file 65) and fails on 17.
 */
export function findJava(minMajor: number, purpose: string): JavaRuntime {
  const hit = cache.get(minMajor);
  if (hit) return hit;
  const seen: string[] = [];
  for (const bin of candidates()) {
    const rt = probe(bin);
    if (!rt) continue;
    seen.push(`${bin} (${rt.major})`);
    if (rt.major >= minMajor) {
      cache.set(minMajor, rt);
      return rt;
    }
  }
  throw new ClusterError(
    'VIGIL_ERR_JAVA_MISSING',
    `${purpose} needs Java ${minMajor} or newer, and none was found` +
      (seen.length ? ` (found: ${seen.join(', ')})` : '') +
      `. Install one (Debian: apt-get install openjdk-${minMajor}-jre-headless, or any Temurin ${minMajor}+) ` +
      `or set VIGIL_JAVA_HOME to its home. ${USE_EXISTING_CLUSTER_HINT}`,
  );
}
