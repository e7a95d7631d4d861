import { spawnSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import { Secret } from '../domain/secret.js';
import { fileDiagnostic as problem, type Diagnostic } from '../input/diagnostics.js';
import { isExecutable } from '../input/path-kind.js';
import { readInputFile } from '../input/read-input-file.js';
import { VaultKeyring, type VaultSecret } from '../input/vault.js';
import { askPassword } from '../transport/index.js';
import type { AnsibleSettings } from './ansible-config.js';

export interface VaultArgs {
  'vault-password-file'?: string[];
  'vault-id'?: string[];
  'ask-vault-pass'?: boolean;
}

/** Ansible's client scripts (`*-client`, `*-client.py`) are told which vault id is wanted. */
function isClientScript(file: string): boolean {
  return /-client(?:\.[^.]+)?$/.test(basename(file));
}

/**
 * A password from a file as Ansible reads it: an executable is run and its output used (a client
 * script gets `--vault-id ID`); a plain file's content, white space stripped. Never empty.
 */
function readPasswordFile(id: string, file: string): { password: Secret } | { diagnostic: Diagnostic } {
  const path = resolve(file);
  const fix =
    'give a readable vault password file (--vault-password-file, --vault-id ID@FILE, ANSIBLE_VAULT_PASSWORD_FILE)';
  if (isExecutable(path)) {
    const run = spawnSync(path, isClientScript(path) ? ['--vault-id', id] : [], {
      encoding: 'utf8',
      stdio: ['inherit', 'pipe', 'inherit'],
      timeout: 120_000,
    });
    if (run.error || run.status !== 0) {
      return {
        diagnostic: problem(
          path,
          `the vault password script failed (${run.error ? run.error.message : `exit ${String(run.status)}`})${isClientScript(path) ? ` for vault id ${id}` : ''}`,
          fix,
        ),
      };
    }
    const text = run.stdout.replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (text === '') return { diagnostic: problem(path, 'the vault password script printed nothing', fix) };
    return { password: new Secret(text) };
  }
  const read = readInputFile(path, 'vault password file', 64 * 1024);
  if (read.diagnostic) return { diagnostic: read.diagnostic };
  const text = read.text.trim();
  if (text === '') return { diagnostic: problem(path, 'the vault password file is empty', fix) };
  return { password: new Secret(text) };
}

/**
 * The vault passwords of a run, from Ansible's sources in Ansible's order: vault_identity_list
 * (ansible.cfg / ANSIBLE_VAULT_IDENTITY_LIST), --vault-id, --vault-password-file,
 * vault_password_file (ansible.cfg / ANSIBLE_VAULT_PASSWORD_FILE), then --ask-vault-pass.
 * `--vault-id ID@prompt` asks at the terminal. Problems are input errors (nothing contacted yet).
 */
export async function vaultKeyring(
  args: VaultArgs,
  settings: AnsibleSettings,
  ask: (prompt: string) => Promise<string> = askPassword,
): Promise<{ keyring: VaultKeyring; diagnostics: Diagnostic[] }> {
  const ids: string[] = [...(settings.vaultIdentityList?.value ?? []), ...(args['vault-id'] ?? [])];
  const files = [...(args['vault-password-file'] ?? [])];
  if (settings.vaultPasswordFile) files.push(settings.vaultPasswordFile.value);
  for (const f of files) ids.push(`default@${f}`);
  if (args['ask-vault-pass'] ?? settings.askVaultPass?.value) ids.push('default@prompt_ask_vault_pass');
  const secrets: VaultSecret[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const spec of ids) {
    if (seen.has(spec)) continue;
    seen.add(spec);
    const at = spec.indexOf('@');
    const id = at > 0 ? spec.slice(0, at) : 'default';
    const source = at > 0 ? spec.slice(at + 1) : spec;
    if (source === 'prompt' || source === 'prompt_ask_vault_pass') {
      const prompt = source === 'prompt' ? `Vault password (${id}): ` : 'Vault password: ';
      try {
        const text = await ask(prompt);
        if (text === '')
          diagnostics.push(problem('--ask-vault-pass', 'the vault password is empty', 'type the password'));
        else secrets.push({ id, password: new Secret(text), source: 'the prompt' });
      } catch (err) {
        diagnostics.push(
          problem(
            source === 'prompt' ? `--vault-id ${spec}` : '--ask-vault-pass',
            (err as Error).message,
            'run from a terminal, or give the password in a file with --vault-password-file FILE',
          ),
        );
      }
      continue;
    }
    const r = readPasswordFile(id, source);
    if ('diagnostic' in r) diagnostics.push(r.diagnostic);
    else secrets.push({ id, password: r.password, source: id === 'default' ? source : `${id}@${source}` });
  }
  return { keyring: new VaultKeyring(secrets), diagnostics };
}
