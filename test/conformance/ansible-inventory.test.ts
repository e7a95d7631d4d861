/**
 * The inventory conformance suite: every case of cases.ts is read by the real ansible-inventory
 * (ansible-core from Debian) and by apim-provision's loader, and the outputs must be identical, byte
 * for byte: `--list` (groups, hosts, every host's merged variables), `--graph`, `--graph --vars`
 * and `--host`. Vault-encrypted files and `!vault` values are made by the real ansible-vault.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/domain/secret.js';
import { VaultKeyring } from '../../src/input/vault.js';
import { loadAnsibleInventory } from '../../src/inventory/ansible-inventory.js';
import { graphView, listView, varsObject } from '../../src/inventory/ansible-view.js';
import { parseExtraVars } from '../../src/inventory/extra-vars.js';
import { pyStr } from '../../src/domain/python-repr.js';
import { pyJsonDumps } from '../../src/report/python-format.js';
import { CASES, type ConformanceCase } from './cases.js';
import { oracleEnv } from './ansible-env.js';

const PASSWORDS = { default: 'conformance-default-pw', dev: 'conformance-dev-pw' };

interface Prepared {
  dir: string;
  env: NodeJS.ProcessEnv;
  vaultArgs: string[];
}

async function prepare(c: ConformanceCase): Promise<Prepared> {
  const dir = mkdtempSync(join(tmpdir(), `apim-conf-${c.name}-`));
  const home = join(dir, '.home');
  mkdirSync(home);
  writeFileSync(join(dir, '.ansible.cfg'), '[defaults]\n');
  writeFileSync(join(dir, '.pw-default'), `${PASSWORDS.default}\n`);
  writeFileSync(join(dir, '.pw-dev'), `${PASSWORDS.dev}\n`);
  const env = oracleEnv(home, join(dir, '.ansible.cfg'));
  const vaultArgs = [
    '--vault-password-file',
    join(dir, '.pw-default'),
    '--vault-id',
    `dev@${join(dir, '.pw-dev')}`,
  ];
  const encryptArgs = (id: string | undefined) =>
    id
      ? ['--vault-id', `${id}@${join(dir, `.pw-${id}`)}`, '--encrypt-vault-id', id]
      : ['--vault-password-file', join(dir, '.pw-default')];
  const files = { ...c.files };
  for (const [name, spec] of Object.entries(c.vaultStrings ?? {})) {
    const r = await execa('ansible-vault', ['encrypt_string', ...encryptArgs(spec.id), spec.text], { env });
    const envelope = r.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    for (const [path, text] of Object.entries(files)) {
      files[path] = text.replace(
        new RegExp(`^( *)(.*)%%VAULT:${name}%%$`, 'gm'),
        (_m, indent: string, head: string) =>
          [`${indent}${head}!vault |`, ...envelope.map((l) => `${indent}  ${l}`)].join('\n'),
      );
    }
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  for (const [path, spec] of Object.entries(c.vaultFiles ?? {})) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, spec.text);
    await execa('ansible-vault', ['encrypt', ...encryptArgs(spec.id), file], { env });
  }
  return { dir, env, vaultArgs };
}

function ansibleArgs(c: ConformanceCase, p: Prepared): string[] {
  return [
    ...c.sources.flatMap((s) => ['-i', s.includes(',') ? s : join(p.dir, s)]),
    ...(c.playbookDir !== undefined ? ['--playbook-dir', join(p.dir, c.playbookDir)] : []),
    ...(c.extraVars ?? []).flatMap((e) => ['-e', e.startsWith('@') ? `@${join(p.dir, e.slice(1))}` : e]),
    ...p.vaultArgs,
  ];
}

async function ansible(p: Prepared, args: string[]): Promise<string> {
  const r = await execa('ansible-inventory', args, { env: p.env, cwd: p.dir, reject: false });
  if (r.exitCode !== 0) throw new Error(`ansible-inventory ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function ours(c: ConformanceCase, p: Prepared) {
  const keyring = new VaultKeyring([
    { id: 'default', password: new Secret(PASSWORDS.default), source: 'default' },
    { id: 'dev', password: new Secret(PASSWORDS.dev), source: 'dev' },
  ]);
  const decryptFile = (text: string, file: string) => {
    const r = keyring.decrypt(text);
    return 'text' in r
      ? { text: r.text }
      : {
          diagnostic: {
            file,
            line: 0,
            column: 0,
            key: '',
            message: r.error,
            fix: r.fix,
            severity: 'error' as const,
          },
        };
  };
  const extra = parseExtraVars(
    (c.extraVars ?? []).map((e) => (e.startsWith('@') ? `@${join(p.dir, e.slice(1))}` : e)),
    { decryptFile },
  );
  expect(extra.diagnostics).toEqual([]);
  const r = loadAnsibleInventory(
    c.sources.map((s) => (s.includes(',') ? s : join(p.dir, s))),
    {
      decryptFile,
      extraVars: extra.vars,
      ...(c.playbookDir !== undefined ? { playbookDir: join(p.dir, c.playbookDir) } : {}),
    },
  );
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, JSON.stringify(errors, null, 2)).toEqual([]);
  return r.inventory;
}

describe.concurrent('ansible-inventory conformance', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const p = await prepare(c);
    const args = ansibleArgs(c, p);
    const inventory = ours(c, p);
    const unmasked = { mask: false };
    const expectedList = await ansible(p, [...args, '--list']);
    expect(pyJsonDumps(listView(inventory, unmasked)), `--list of ${c.name} (${c.covers})`).toBe(
      expectedList,
    );
    for (const group of c.graph ?? ['all']) {
      expect(graphView(inventory, group, false, unmasked, pyStr), `--graph ${group}`).toBe(
        await ansible(p, [...args, '--graph', group]),
      );
    }
    if (c.graphVars) {
      expect(graphView(inventory, 'all', true, unmasked, pyStr), '--graph --vars').toBe(
        await ansible(p, [...args, '--graph', '--vars']),
      );
    }
    for (const host of c.hosts ?? []) {
      expect(pyJsonDumps(varsObject(inventory.hostVars(host), unmasked)), `--host ${host}`).toBe(
        await ansible(p, [...args, '--host', host]),
      );
    }
  });
});
