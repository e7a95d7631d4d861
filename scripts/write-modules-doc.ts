// Writes docs/modules.md from the module registry (npm run docs:modules).
import { writeFileSync } from 'node:fs';
import { modulesReference } from '../src/modules/docs.js';

writeFileSync(new URL('../docs/modules.md', import.meta.url), modulesReference());
