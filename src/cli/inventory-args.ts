import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { fileDiagnostic, type Diagnostic } from '../input/diagnostics.js';
import { unreadableReason } from '../inventory/local-file.js';
import { parseExtraVars } from '../inventory/extra-vars.js';
import type { LoadInventoryOptions } from '../inventory/load-inventory.js';
import type { SecretsMode } from '../inventory/var-reader.js';
import { loadAnsibleSettings, type AnsibleSettings } from './ansible-config.js';
import { UsageError } from './usage-error.js';
import { vaultKeyring, type VaultArgs } from './vault-secrets.js';

export interface InventoryArgs extends VaultArgs {
  inventory?: string[];
  'extra-vars'?: string[];
}

/** Options of every command that reads an inventory: Ansible's -i, -e and vault options. */
export function inventoryOptions<T>(y: Argv<T>) {
  return y
    .option('inventory', {
      alias: 'i',
      type: 'string',
      array: true,
      describe: 'inventory source (file, folder or host list), repeatable; later ones win',
    })
    .option('extra-vars', {
      alias: 'e',
      type: 'string',
      array: true,
      describe: 'variables, highest precedence: key=value, YAML/JSON, or @file',
    })
    .option('vault-password-file', {
      type: 'string',
      array: true,
      describe: 'vault password file (or script)',
    })
    .option('vault-id', { type: 'string', array: true, describe: 'vault id: [ID@]FILE or ID@prompt' })
    .option('ask-vault-pass', { alias: 'J', type: 'boolean', describe: 'ask for the vault password' });
}

/**
 * The inventory sources and playbook of a command line, as the two habits read it:
 * `apply INVENTORY [PLAYBOOK]` (the positional form) and `apply -i INV [-i INV2] [PLAYBOOK]`
 * (Ansible's: with -i, a single positional is the playbook). Without either, the inventory setting of
 * ansible.cfg or ANSIBLE_INVENTORY is used, as Ansible does.
 */
export function sourcesOf(
  positionals: readonly (string | undefined)[],
  args: InventoryArgs,
  settings: AnsibleSettings,
  takesPlaybook: boolean,
): { sources: string[]; playbook?: string } {
  const given = positionals.filter((p): p is string => p !== undefined);
  const flags = args.inventory ?? [];
  let sources: string[];
  let playbook: string | undefined;
  if (flags.length > 0) {
    if (takesPlaybook && given.length === 1) playbook = given[0];
    else {
      sources = [...given.slice(0, 1), ...flags];
      playbook = takesPlaybook ? given[1] : undefined;
      if (!takesPlaybook && given.length > 1) throw new UsageError(`unexpected argument ${given[1]}`);
      return { sources, ...(playbook !== undefined ? { playbook } : {}) };
    }
    sources = flags;
  } else if (given.length > 0) {
    sources = [given[0]!];
    playbook = takesPlaybook ? given[1] : undefined;
  } else if (settings.inventory && settings.inventory.length > 0) {
    sources = settings.inventory;
  } else {
    throw new UsageError(
      'name the inventory: apim-provision <command> INVENTORY, or -i INVENTORY (or set inventory in ansible.cfg / ANSIBLE_INVENTORY)',
    );
  }
  return { sources, ...(playbook !== undefined ? { playbook } : {}) };
}

/**
 * What loading the inventory needs from the command line and the environment: -e, the vault
 * passwords, the playbook folder, and the connection settings of ansible.cfg / ANSIBLE_* / flags.
 */
export async function inventoryLoadOptions(
  args: InventoryArgs & {
    user?: string;
    'private-key'?: string;
    timeout?: number;
    become?: boolean;
    'become-user'?: string;
  },
  settings: AnsibleSettings,
  secrets: SecretsMode,
  playbook: string | undefined,
): Promise<{ options: LoadInventoryOptions; diagnostics: Diagnostic[] }> {
  const vault = await vaultKeyring(args, settings);
  const extra = parseExtraVars(args['extra-vars'] ?? [], { decryptFile: vault.keyring.decryptFile });
  const connection: LoadInventoryOptions['connection'] = {};
  const user = args.user ?? settings.remoteUser?.value;
  if (user !== undefined) connection.user = user;
  if (settings.remotePort) connection.port = settings.remotePort.value;
  const keyProblems: Diagnostic[] = [];
  const key =
    args['private-key'] !== undefined ? resolve(args['private-key']) : settings.privateKeyFile?.value;
  if (key !== undefined) {
    const from = args['private-key'] !== undefined ? '--private-key' : (settings.privateKeyFile?.from ?? '');
    const reason = unreadableReason(key);
    if (reason)
      keyProblems.push(
        fileDiagnostic(key, `${from}: the key file ${reason}`, 'give a readable private key file'),
      );
    else connection.privateKeyFile = key;
  }
  const timeout = args.timeout ?? settings.timeout?.value;
  if (timeout !== undefined) {
    connection.timeoutSeconds = timeout;
    connection.timeoutFrom = args.timeout !== undefined ? '-T' : (settings.timeout?.from ?? 'ansible.cfg');
  }
  const become = args.become ?? settings.become?.value;
  if (become !== undefined) connection.become = become;
  const becomeUser = args['become-user'] ?? settings.becomeUser?.value;
  if (becomeUser !== undefined) connection.becomeUser = becomeUser;
  return {
    options: {
      secrets,
      extraVars: extra.vars,
      vault: vault.keyring,
      connection,
      ...(playbook !== undefined ? { playbookDir: dirname(playbook) } : {}),
    },
    diagnostics: [...settings.diagnostics, ...vault.diagnostics, ...extra.diagnostics, ...keyProblems],
  };
}

export { loadAnsibleSettings };
