import { execa } from 'execa';
import type { LabPaths } from './lab-paths.js';

/** Environment that points Vagrant at the lab's Vagrantfile, spec and machine folder. */
export function vagrantEnv(paths: LabPaths, prefix?: string): Record<string, string> {
  return {
    VAGRANT_CWD: paths.vagrantDir,
    VAGRANT_DOTFILE_PATH: paths.dotfileDir,
    APIM_LAB_SPEC: paths.specFile,
    ...(prefix ? { APIM_LAB_PREFIX: prefix } : {}),
    // No update checks or plugin installs: CI has no network beyond the Debian mirror.
    VAGRANT_CHECKPOINT_DISABLE: '1',
    VAGRANT_NO_COLOR: '1',
  };
}

/** Runs `vagrant <args>`; throws with Vagrant's own output when it fails. */
export async function vagrant(
  paths: LabPaths,
  args: string[],
  options: { log?: (line: string) => void; prefix?: string } = {},
): Promise<string> {
  const child = execa('vagrant', args, {
    env: vagrantEnv(paths, options.prefix),
    cwd: paths.vagrantDir,
    reject: false,
    all: true,
  });
  if (options.log) {
    const log = options.log;
    child.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
    });
  }
  const result = await child;
  if (result.exitCode !== 0) {
    throw new Error(`vagrant ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.all ?? ''}`);
  }
  return result.stdout;
}

/** `vagrant status --machine-readable` -> machine name -> state (`running`, `not_created`, ...). */
export function parseMachineReadableStatus(text: string): Record<string, string> {
  const states: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, target, type, data] = line.split(',');
    if (target && type === 'state' && data) states[target] = data;
  }
  return states;
}
