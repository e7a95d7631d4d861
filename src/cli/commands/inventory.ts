import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { errorsOf } from '../../input/diagnostics.js';
import { VaultKeyring } from '../../input/vault.js';
import { loadAnsibleInventory } from '../../inventory/ansible-inventory.js';
import { graphView, listView, varsObject } from '../../inventory/ansible-view.js';
import { didYouMean } from '../../inventory/did-you-mean.js';
import { EXIT, printDiagnostics } from '../../report/index.js';
import { pyStr } from '../../domain/python-repr.js';
import { pyJsonDumps } from '../../report/python-format.js';
import {
  inventoryLoadOptions,
  inventoryOptions,
  loadAnsibleSettings,
  sourcesOf,
  type InventoryArgs,
} from '../inventory-args.js';
import { useColor } from '../terminal.js';
import { UsageError } from '../usage-error.js';

interface Args extends InventoryArgs {
  inv?: string;
  list?: boolean;
  host?: string;
  graph?: string | boolean;
  vars?: boolean;
  'playbook-dir'?: string;
  output?: string;
  yaml?: boolean;
  toml?: boolean;
  export?: boolean;
}

const REFUSED_FLAGS: [keyof Args, string][] = [
  ['yaml', '--yaml output is not supported: use --list (JSON, as ansible-inventory prints it)'],
  ['toml', '--toml output is not supported: use --list (JSON)'],
  [
    'export',
    "--export is not supported: --list shows each host's merged variables, as ansible-inventory does without it",
  ],
];

/**
 * `apim-provision inventory`: what ansible-inventory shows (--list JSON, --host, --graph), read by
 * apim-provision's loader, so users can check that it sees their inventory as Ansible does. Secrets
 * are masked; inline vault values show as Ansible shows them ({"__ansible_vault": ...}).
 */
export function inventoryCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'inventory [inv]',
    describe: 'Show the inventory as apim-provision (and Ansible) read it: --list, --host H or --graph',
    builder: (y) =>
      inventoryOptions(y)
        .positional('inv', { type: 'string', describe: 'inventory (or -i INVENTORY, repeatable)' })
        .option('list', { type: 'boolean', describe: 'every group and host with its variables (JSON)' })
        .option('host', { type: 'string', describe: "one host's variables (JSON)" })
        .option('graph', {
          type: 'string',
          describe: 'the tree of groups and hosts (from GROUP, default all)',
        })
        .option('vars', { type: 'boolean', describe: 'with --graph: show variables too' })
        .option('playbook-dir', {
          type: 'string',
          describe: "also read this folder's group_vars/ and host_vars/",
        })
        .option('output', { type: 'string', describe: 'write to this file instead of stdout' })
        .option('yaml', { type: 'boolean', hidden: true })
        .option('toml', { type: 'boolean', hidden: true })
        .option('export', { type: 'boolean', hidden: true })
        .check((a) => {
          for (const [flag, why] of REFUSED_FLAGS) if (a[flag]) throw new UsageError(why);
          const modes = [a.list, a.host !== undefined, a.graph !== undefined].filter(Boolean).length;
          if (modes !== 1) throw new UsageError('give exactly one of --list, --host HOST or --graph [GROUP]');
          if (a.vars && a.graph === undefined) throw new UsageError('--vars goes with --graph');
          return true;
        }),
    handler: async (args) => {
      const settings = loadAnsibleSettings();
      const { sources } = sourcesOf([args.inv], args, settings, false);
      const prepared = await inventoryLoadOptions(args, settings, 'ignore', undefined);
      const color = useColor(process.stderr);
      if (errorsOf(prepared.diagnostics).length > 0) {
        printDiagnostics(prepared.diagnostics, process.stderr, color);
        return setCode(EXIT.INVALID_INPUT);
      }
      const { inventory, diagnostics } = loadAnsibleInventory(sources, {
        decryptFile: (prepared.options.vault ?? new VaultKeyring([])).decryptFile,
        ...(prepared.options.extraVars ? { extraVars: prepared.options.extraVars } : {}),
        ...(args['playbook-dir'] !== undefined ? { playbookDir: args['playbook-dir'] } : {}),
      });
      const all = [...prepared.diagnostics, ...diagnostics];
      if (all.length > 0) printDiagnostics(all, process.stderr, color);
      if (errorsOf(all).length > 0) return setCode(EXIT.INVALID_INPUT);
      const masked = { mask: true };
      let text: string;
      if (args.list) text = pyJsonDumps(listView(inventory, masked));
      else if (args.host !== undefined) {
        if (!inventory.data.hosts.has(args.host)) {
          throw new UsageError(
            `--host ${args.host}: no such host${didYouMean(args.host, [...inventory.data.hosts.keys()])} (give a single host of the inventory)`,
          );
        }
        text = pyJsonDumps(varsObject(inventory.hostVars(args.host), masked));
      } else {
        const group = typeof args.graph === 'string' && args.graph !== '' ? args.graph : 'all';
        if (!inventory.data.groups.has(group)) {
          throw new UsageError(
            `--graph ${group}: no such group${didYouMean(group, [...inventory.data.groups.keys()])}`,
          );
        }
        text = graphView(inventory, group, args.vars ?? false, masked, pyStr);
      }
      if (args.output !== undefined) writeFileSync(args.output, `${text}\n`);
      else process.stdout.write(`${text}\n`);
      setCode(EXIT.OK);
    },
  };
}
