#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/bundle/ by `npm run build` (run by `npm ci` through `prepare`).
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
