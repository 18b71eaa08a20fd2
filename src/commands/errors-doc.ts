// Writes docs/errors.md from the modules' code tables (`npm run docs:errors`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../cluster/paths.js';
import { renderErrorsDoc } from './error-catalog.js';

writeFileSync(join(projectRoot, 'docs', 'errors.md'), renderErrorsDoc());
process.stdout.write('wrote docs/errors.md\n');
