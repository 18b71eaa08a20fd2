// Writes deploy/docker-compose.yml and the files it mounts (`npm run deploy:generate`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCompose } from '../cluster/compose.js';
import { projectRoot } from '../cluster/paths.js';

for (const [path, content] of Object.entries(renderCompose())) {
  const file = join(projectRoot, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  process.stdout.write(`wrote ${path}\n`);
}
