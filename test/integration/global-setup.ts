/**
 * vitest globalSetup of the integration project: checks the lab prerequisites (failing loudly with
 * the fix: no test is ever skipped for want of a lab), builds the lab images when their recipe
 * changed, brings the Vagrant lab up once for the whole run and takes it down afterwards.
 * Test files find the running lab through `vagrant/.lab/state.json` (support/lab.ts: getLab()).
 *
 * APIM_LAB_KEEP=1 keeps the lab running after the run (faster reruns while developing).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { DEFAULT_LAB_SPEC, labDown, labUp } from '../../src/lab/index.js';
import { labPaths } from '../../src/lab/lab-paths.js';
import { registerLabUser, unregisterLabUser } from './support/lab.js';

export default async function setup(): Promise<() => Promise<void>> {
  const paths = labPaths();
  const prereqs = await execa('bash', [join(paths.root, 'scripts', 'ensure-lab-prereqs.sh')], {
    reject: false,
    all: true,
  });
  if (prereqs.exitCode !== 0) {
    throw new Error(
      `the integration tests need the Vagrant lab, and its prerequisites are missing:\n${prereqs.all}`,
    );
  }

  mkdirSync(paths.labDir, { recursive: true });
  const logFile = join(paths.labDir, 'lab-up.log');
  // Appended, not truncated: concurrent test runs share the lab folder.
  const log = (line: string): void => appendFileSync(logFile, `[${process.pid}] ${line}\n`);
  log(`--- test run started ${new Date().toISOString()}`);
  registerLabUser(paths.labDir);
  console.log(`lab: bringing the Vagrant lab up (log: ${logFile})`);
  try {
    const lab = await labUp(DEFAULT_LAB_SPEC, { log });
    const t = lab.timings;
    console.log(
      `lab: up in ${(t.total / 1000).toFixed(1)} s (images ${(t.images / 1000).toFixed(1)} s, vagrant up ${(t.vagrantUp / 1000).toFixed(1)} s, setup ${(t.setup / 1000).toFixed(1)} s)`,
    );
    process.env.APIM_LAB_STATE = paths.stateFile;
  } catch (error) {
    unregisterLabUser(paths.labDir);
    throw new Error(`bringing the lab up failed (full log: ${logFile}): ${(error as Error).message}`, {
      cause: error,
    });
  }

  return async () => {
    const others = unregisterLabUser(paths.labDir);
    if (process.env.APIM_LAB_KEEP === '1') {
      console.log('lab: APIM_LAB_KEEP=1, leaving the lab running');
    } else if (others > 0) {
      console.log(`lab: ${others} other test run(s) still use the lab, leaving it running`);
    } else {
      await labDown({ log });
    }
  };
}
