import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { ClusterError, USE_EXISTING_CLUSTER_HINT } from './errors.js';
import { cacheDir, projectRoot } from './paths.js';

export const KAFKA_VERSION = '4.1.2';
export const APICURIO_VERSION = '3.3.3';

export interface Artifacts {
  /** Folder of jars for `-cp "<lib>/*"`: broker, tools, MirrorMaker 2, log4j2. */
  kafkaLib: string;
  /** Apicurio's Quarkus app folder (holds quarkus-run.jar). */
  apicurioApp: string;
}

export function artifactPaths(): Artifacts {
  const root = cacheDir();
  return {
    kafkaLib: join(root, `kafka-${KAFKA_VERSION}`, 'lib'),
    apicurioApp: join(root, `apicurio-registry-${APICURIO_VERSION}`),
  };
}

function requireMaven(): void {
  const res = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new ClusterError(
      'VIGIL_ERR_MAVEN_MISSING',
      `Maven is needed once, to fetch Kafka ${KAFKA_VERSION} and Apicurio Registry ${APICURIO_VERSION} from Maven Central, ` +
        `and "mvn -v" failed. Install it (Debian: apt-get install maven). ${USE_EXISTING_CLUSTER_HINT}`,
    );
  }
}

function run(args: string[], cwd: string, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', ['-B', '-q', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      log.error({ output: output.slice(-4000) }, 'mvn failed');
      reject(
        new ClusterError(
          'VIGIL_ERR_FETCH_FAILED',
          `mvn ${args[0]} exited with ${code}. Its output ends with:\n${output.slice(-2000)}\n` +
            `Check that Maven Central is reachable. ${USE_EXISTING_CLUSTER_HINT}`,
        ),
      );
    });
  });
}

/**
 * Fetches the jars and the registry once into the cache. Each piece is
 * downloaded into a temporary folder and renamed into place, so a run that
 * is interrupted, or two that race, never leave a half-filled cache.
 */
export async function ensureArtifacts(log: Logger): Promise<Artifacts> {
  const paths = artifactPaths();
  const kafkaReady = existsSync(join(paths.kafkaLib, `kafka_2.13-${KAFKA_VERSION}.jar`));
  const registryReady = existsSync(join(paths.apicurioApp, 'quarkus-run.jar'));
  if (kafkaReady && registryReady) return paths;

  requireMaven();
  const tmp = join(cacheDir(), `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  try {
    if (!kafkaReady) {
      log.info({ version: KAFKA_VERSION }, 'fetching Kafka jars from Maven Central (first run only)');
      const lib = join(tmp, 'lib');
      await run(
        ['dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`],
        join(projectRoot, 'deploy', 'maven'),
        log,
      );
      mkdirSync(join(paths.kafkaLib, '..'), { recursive: true });
      rmSync(paths.kafkaLib, { recursive: true, force: true });
      renameSync(lib, paths.kafkaLib);
    }
    if (!registryReady) {
      log.info({ version: APICURIO_VERSION }, 'fetching Apicurio Registry from Maven Central (first run only)');
      await run(
        [
          'dependency:copy',
          `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`,
          `-DoutputDirectory=${tmp}`,
        ],
        join(projectRoot, 'deploy', 'maven'),
        log,
      );
      const tarball = readdirSync(tmp).find((f) => f.endsWith('.tar.gz'));
      if (!tarball) throw new ClusterError('VIGIL_ERR_FETCH_FAILED', 'Apicurio tarball missing after mvn dependency:copy.');
      const app = join(tmp, 'apicurio');
      mkdirSync(app);
      const untar = spawnSync('tar', ['xzf', join(tmp, tarball), '-C', app], { encoding: 'utf8' });
      if (untar.status !== 0) throw new ClusterError('VIGIL_ERR_FETCH_FAILED', `tar failed: ${untar.stderr}`);
      rmSync(paths.apicurioApp, { recursive: true, force: true });
      renameSync(app, paths.apicurioApp);
    }
    log.info({ seconds: (Date.now() - started) / 1000 }, 'artifacts cached in ' + cacheDir());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return paths;
}
