import { execa } from 'execa';
import type { ExecResult } from '../transport/types.js';
import type { LabMachine } from './types.js';

/** Single-quotes a string for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** ssh client arguments that reach a lab machine, checking its host key against the lab's known_hosts. */
export function sshArgs(machine: LabMachine, knownHostsFile: string): string[] {
  return [
    '-F',
    'none',
    '-i',
    machine.keyFile,
    '-p',
    String(machine.sshPort),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    `${machine.user}@${machine.sshHost}`,
  ];
}

/** Runs a shell command on a lab machine with the system ssh client (never throws for a non-zero exit). */
export async function sshExec(
  machine: LabMachine,
  knownHostsFile: string,
  command: string,
  options: { root?: boolean; stdin?: string | Buffer } = {},
): Promise<ExecResult> {
  const remote = options.root ? `sudo -n sh -c ${shellQuote(command)}` : command;
  const result = await execa('ssh', [...sshArgs(machine, knownHostsFile), remote], {
    input: options.stdin ?? '',
    reject: false,
    stripFinalNewline: false,
  });
  return { code: result.exitCode ?? 255, stdout: result.stdout, stderr: result.stderr };
}

/** Like sshExec, but throws with the command's output when it exits non-zero. */
export async function sshRun(
  machine: LabMachine,
  knownHostsFile: string,
  command: string,
  options: { root?: boolean; stdin?: string | Buffer } = {},
): Promise<string> {
  const result = await sshExec(machine, knownHostsFile, command, options);
  if (result.code !== 0) {
    throw new Error(
      `on ${machine.name}: \`${command}\` exited ${result.code}\n${result.stderr.trim()}\n${result.stdout.trim()}`.trim(),
    );
  }
  return result.stdout;
}
