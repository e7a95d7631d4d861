import { readInputFile } from '../input/read-input-file.js';
import { UsageError } from './usage-error.js';
import type { Argv } from 'yargs';

/** Options shared by `apply` and `rollback`: which hosts, how to reach them, how to report. */
export function connectionOptions<T>(y: Argv<T>) {
  return y
    .option('limit', {
      alias: 'l',
      type: 'string',
      array: true,
      describe: 'host or group patterns (Ansible --limit); @FILE reads one pattern per line',
    })
    .option('forks', {
      alias: 'f',
      type: 'number',
      describe: 'hosts worked on at once (default 50, or forks of ansible.cfg / ANSIBLE_FORKS)',
    })
    .option('known-hosts', {
      type: 'string',
      array: true,
      describe:
        'known_hosts file(s) to check host keys against (new keys go to the first); default ~/.ssh/known_hosts',
    })
    .option('accept-new-host-keys', {
      type: 'boolean',
      default: false,
      describe: 'record unknown host keys (a changed key is always refused)',
    })
    .option('ask-become-pass', {
      alias: 'K',
      type: 'boolean',
      default: false,
      describe: 'ask for the sudo password',
    })
    .option('json', { type: 'string', describe: 'write a JSON report to this file (- for stdout)' })
    .option('verbose', {
      alias: 'v',
      type: 'count',
      describe: 'more output (-vv task starts, -vvv how each host is connected to)',
    });
}

/** Ansible's connection flags of ansible-playbook: they lose to the inventory's own variables. */
export function connectionFlags<T>(y: Argv<T>) {
  return y
    .option('user', {
      alias: 'u',
      type: 'string',
      describe: 'SSH login user (ansible_user in the inventory wins)',
    })
    .option('private-key', {
      alias: 'key-file',
      type: 'string',
      describe: 'SSH private key file (ansible_ssh_private_key_file wins)',
    })
    .option('timeout', {
      alias: 'T',
      type: 'number',
      describe: 'SSH connect timeout in seconds (default 10)',
    })
    .option('become', {
      alias: 'b',
      type: 'boolean',
      describe: 'become root with sudo (ansible_become in the inventory wins)',
    })
    .option('become-user', { type: 'string', describe: 'sudo target user (ansible_become_user wins)' })
    .option('become-method', { type: 'string', hidden: true })
    .option('connection', { alias: 'c', type: 'string', hidden: true })
    .option('syntax-check', { type: 'boolean', hidden: true })
    .option('start-at-task', { type: 'string', hidden: true })
    .option('step', { type: 'boolean', hidden: true })
    .option('ssh-common-args', { type: 'string', hidden: true })
    .option('ssh-extra-args', { type: 'string', hidden: true })
    .check((a) => {
      const refused = ANSIBLE_ONLY_FLAGS.find(([flag, ok]) => a[flag] !== undefined && !ok(a[flag]));
      if (refused) throw new UsageError(refused[2]);
      return true;
    });
}

/** ansible-playbook flags apim-provision does not offer: refused by name, with what to do instead. */
const ANSIBLE_ONLY_FLAGS: [string, (v: unknown) => boolean, string][] = [
  ['become-method', (v) => v === 'sudo', '--become-method: apim-provision becomes root through sudo only'],
  ['connection', (v) => v === 'ssh' || v === 'smart', '--connection: apim-provision connects over SSH only'],
  [
    'syntax-check',
    () => false,
    '--syntax-check: use apim-provision validate INVENTORY [PLAYBOOK] (it checks everything, contacting nothing)',
  ],
  [
    'start-at-task',
    () => false,
    '--start-at-task is not supported: use --tags / --skip-tags to choose tasks',
  ],
  ['step', () => false, '--step is not supported: use --check --diff to see every change before applying'],
  [
    'ssh-common-args',
    () => false,
    '--ssh-common-args is not supported: set ansible_ssh_common_args in the inventory (-o ProxyJump=... / -J ...)',
  ],
  [
    'ssh-extra-args',
    () => false,
    '--ssh-extra-args is not supported: set ansible_ssh_common_args in the inventory (-o ProxyJump=... / -J ...)',
  ],
];

/** --limit values with @FILE expanded (one pattern per line, as Ansible's retry files). */
export function limitPatterns(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => {
    if (!v.startsWith('@')) return [v];
    const read = readInputFile(v.slice(1), '--limit file', 1024 * 1024);
    if (read.diagnostic) throw new UsageError(`--limit ${v}: ${read.diagnostic.message}`);
    const lines = read.text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (lines.length === 0) throw new UsageError(`--limit ${v}: the file names no host`);
    return lines;
  });
}
