import type { Argv } from 'yargs';

/** Options shared by `apply` and `rollback`: which hosts, how to reach them, how to report. */
export function connectionOptions<T>(y: Argv<T>) {
  return y
    .option('limit', {
      alias: 'l',
      type: 'string',
      array: true,
      describe: 'host or group patterns (Ansible --limit)',
    })
    .option('forks', { alias: 'f', type: 'number', default: 50, describe: 'hosts worked on at once' })
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
