/**
 * Inventories starting with a UTF-8 byte order mark, read by the real ansible-inventory (one call,
 * both files): its INI plugin fails on the file (the mark is part of the first line), its YAML
 * plugin reads the other. apim-provision refuses the INI one, naming it, and reads the YAML one.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadAnsibleInventory } from '../../src/inventory/ansible-inventory.js';
import { oracleEnv } from './ansible-env.js';

describe('a UTF-8 byte order mark (ansible-inventory)', () => {
  it('INI: Ansible fails to parse the file and we refuse it; YAML: both read it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-bom-'));
    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\n');
    const ini = join(dir, 'hosts.ini');
    const yml = join(dir, 'hosts.yml');
    writeFileSync(ini, '\uFEFF[web]\nh1 ansible_host=127.0.0.1\n');
    writeFileSync(yml, '\uFEFFall:\n  hosts:\n    h2:\n      ansible_host: 127.0.0.2\n');
    const r = await execa('ansible-inventory', ['-i', ini, '-i', yml, '--list'], {
      env: oracleEnv(home, join(dir, 'ansible.cfg')),
      cwd: dir,
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain(`Failed to parse ${ini} with ini plugin`);
    const theirs = JSON.parse(r.stdout) as { _meta: { hostvars: Record<string, unknown> } };
    expect(Object.keys(theirs._meta.hostvars)).toEqual(['h2']);

    const ours = loadAnsibleInventory([ini, yml], {
      decryptFile: () => {
        throw new Error('nothing here is vaulted');
      },
    });
    const errors = ours.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.file)).toEqual([ini]);
    expect(errors[0]!.message).toContain('byte order mark');
    expect([...ours.inventory.data.hosts.keys()]).toEqual(['h2']);
  });
});
