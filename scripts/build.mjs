// npm run build: a clean dist/ (no output of removed sources left behind), the TypeScript compiled,
// and the remote shell programs copied next to it (src/remote/scripts.ts reads them at run time).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
cpSync('src/remote/sh', 'dist/remote/sh', { recursive: true });
