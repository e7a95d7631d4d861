// The remote shell programs are read at run time next to the compiled code (src/remote/scripts.ts):
// `npm run build` copies them from src/remote/sh to dist/remote/sh.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist/remote/sh', { recursive: true, force: true });
cpSync('src/remote/sh', 'dist/remote/sh', { recursive: true });
