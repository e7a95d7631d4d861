import { REMOTE_LAB_DIR } from './machine-setup.js';
import { shellQuote, sshRun } from './ssh-exec.js';
import type { LabMachine, StandinSpec } from './types.js';

const CTL = `${REMOTE_LAB_DIR}/standin/standin-ctl`;

function startCommand(s: StandinSpec): string {
  return `${CTL} start ${shellQuote(s.name)} ${s.offset} ${shellQuote(s.role)} ${shellQuote(s.version)}`;
}

/** Starts every stand-in of one machine in one SSH round trip (already running ones are left alone). */
export async function startStandins(
  machine: LabMachine,
  knownHostsFile: string,
  standins: StandinSpec[],
): Promise<void> {
  if (standins.length === 0) return;
  await sshRun(machine, knownHostsFile, standins.map(startCommand).join(' && '), { root: true });
}

export async function startStandin(
  machine: LabMachine,
  knownHostsFile: string,
  standin: StandinSpec,
): Promise<void> {
  await sshRun(machine, knownHostsFile, startCommand(standin), { root: true });
}

export async function stopStandin(
  machine: LabMachine,
  knownHostsFile: string,
  standin: StandinSpec,
): Promise<void> {
  await sshRun(machine, knownHostsFile, `${CTL} stop ${shellQuote(standin.name)}`, { root: true });
}
