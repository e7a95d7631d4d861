import { join } from 'node:path';

/** Where the oracle runs: its own HOME and ansible.cfg (none of the machine's), no colour, UTF-8. */
export function oracleEnv(home: string, config: string) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    ANSIBLE_CONFIG: config,
    ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    LC_ALL: 'C.UTF-8',
  };
}
