import type { CommandModule } from 'yargs';
import {
  createCertificate,
  defaultPkiDir,
  ensureLocalCa,
  existingCertificateFiles,
  FileExistsError,
  inspectCertificate,
  writeCertificateFiles,
} from '../../certs/index.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { EXIT, printDiagnostics, renderCertificate } from '../../report/index.js';
import { serverNamesOf } from '../../inventory/tls-source.js';
import { useColor } from '../terminal.js';
import { UsageError } from '../usage-error.js';

interface Args {
  hostname?: string[];
  inventory?: string;
  host?: string;
  out: string;
  name: string;
  'key-type': 'rsa' | 'ecdsa';
  'rsa-bits': number;
  days: number;
  ca: boolean;
  'pki-dir'?: string;
  force: boolean;
}

export function certsCommand(setCode: (c: number) => void): CommandModule {
  return {
    command: 'certs',
    describe: 'TLS material for load balancers',
    builder: (y) => y.command(createCommand(setCode)).demandCommand(1, 'Name a certs command: create'),
    handler: () => undefined,
  };
}

function createCommand(setCode: (c: number) => void): CommandModule<object, Args> {
  return {
    command: 'create',
    describe: 'Create a key, CSR and certificate (self-signed or signed by a local CA), written locally',
    builder: (y) =>
      y
        .option('hostname', {
          type: 'string',
          array: true,
          describe: 'a name the certificate covers (repeat)',
        })
        .option('inventory', {
          type: 'string',
          describe: 'take the names a load balancer serves from this inventory',
        })
        .option('host', {
          type: 'string',
          describe: 'with --inventory: that load balancer (default: the first)',
        })
        .option('out', {
          type: 'string',
          default: '.',
          describe: 'folder to write <name>.key/.crt/.csr into',
        })
        .option('name', { type: 'string', default: 'apim', describe: 'base name of the files' })
        .option('key-type', { choices: ['rsa', 'ecdsa'] as const, default: 'rsa' as const })
        .option('rsa-bits', { type: 'number', default: 2048 })
        .option('days', { type: 'number', default: 365 })
        .option('ca', {
          type: 'boolean',
          default: false,
          describe: "sign with the inventory's local CA (the one apply uses) instead of self-signing",
        })
        .option('pki-dir', {
          alias: 'ca-dir',
          type: 'string',
          describe: 'with --ca: the local CA folder (default <inventory dir>/.apim-provision/pki, as apply)',
        })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'replace existing <name>.key/.crt/.csr files',
        })
        .check((a) => {
          if (!a.hostname?.length && !a.inventory)
            throw new UsageError('give --hostname (one or more) or --inventory');
          if (a.ca && !a.inventory && a['pki-dir'] === undefined)
            throw new UsageError(
              '--ca signs with the local CA apply uses for an inventory: give --inventory INV, or --pki-dir DIR for another CA folder',
            );
          if (a['rsa-bits'] < 2048)
            throw new UsageError('--rsa-bits must be 2048 or more (current OpenSSL rejects smaller keys)');
          if (!(a.days >= 1 && a.days <= 3650)) throw new UsageError('--days must be between 1 and 3650');
          return true;
        }),
    handler: (args) => {
      let hostnames = args.hostname ?? [];
      let inventoryDir: string | undefined;
      if (args.inventory) {
        const { inventory, diagnostics } = loadInventory(args.inventory, { secrets: 'ignore' });
        if (diagnostics.length > 0) printDiagnostics(diagnostics, process.stderr, useColor(process.stderr));
        if (!inventory || errorsOf(diagnostics).length > 0) return setCode(EXIT.INVALID_INPUT);
        const lb = inventory.loadBalancers.find((l) => !args.host || l.host.name === args.host);
        if (!lb) {
          process.stderr.write(`no load balancer named '${args.host}'\n`);
          return setCode(EXIT.USAGE);
        }
        hostnames = [...new Set([...serverNamesOf(lb), ...hostnames])];
        inventoryDir = inventory.dir;
      }
      // Before the (slow) key and any CA exist: replacing a key breaks what was deployed with it.
      const existing = args.force ? [] : existingCertificateFiles(args.out, args.name);
      if (existing.length > 0) return refuseOverwrite(existing, setCode);
      const key = { keyType: args['key-type'], rsaBits: args['rsa-bits'] };
      const pkiDir =
        args['pki-dir'] ?? (inventoryDir !== undefined ? defaultPkiDir(inventoryDir) : undefined);
      const ca = args.ca && pkiDir !== undefined ? ensureLocalCa(pkiDir) : undefined;
      const generated = createCertificate({ hostnames, key, days: args.days, ...(ca ? { issuer: ca } : {}) });
      let files;
      try {
        files = writeCertificateFiles(args.out, args.name, generated, args.force);
      } catch (err) {
        if (err instanceof FileExistsError) return refuseOverwrite([err.path], setCode);
        throw err;
      }
      process.stdout.write(
        `key:         ${files.keyFile} (mode 0600)\ncertificate: ${files.certFile}\n` +
          (files.csrFile ? `csr:         ${files.csrFile}\n` : '') +
          (ca
            ? `signed by:   the local CA in ${pkiDir} (${ca.created ? 'created now' : 'existing'})\n`
            : '') +
          renderCertificate(inspectCertificate(generated.certPem)) +
          '\n',
      );
      setCode(EXIT.OK);
    },
  };
}

function refuseOverwrite(files: string[], setCode: (c: number) => void): void {
  process.stderr.write(
    `apim-provision: ${files.join(', ')} ${files.length === 1 ? 'exists' : 'exist'}: not replaced ` +
      '(a new key breaks every certificate and deployment made with the old one). ' +
      'Give --force to replace them, or --out / --name for new files.\n',
  );
  setCode(EXIT.USAGE);
}
