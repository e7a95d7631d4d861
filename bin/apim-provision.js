#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/bundle/ by `npm run build` (run by `npm ci` through `prepare`).
import { loadBundle } from './load-bundle.js';

process.exitCode = await loadBundle().main(process.argv.slice(2));
