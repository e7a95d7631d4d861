import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  createCertificate,
  ensureLocalCa,
  inspectCertificate,
  writeCertificateFiles,
} from '../../certs/index.js';
import { errorsOf } from '../../input/diagnostics.js';
import { loadInventory } from '../../inventory/load-inventory.js';
import { EXIT, printDiagnostics, renderCertificate } from '../../report/index.js';
import { serverNamesOf } from '../load-run-input.js';
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
  'ca-dir'?: string;
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
          describe: 'sign with a local CA instead of self-signing',
        })
        .option('ca-dir', { type: 'string', describe: 'where the local CA lives (default <out>/ca)' })
        .check((a) => {
          if (!a.hostname?.length && !a.inventory)
            throw new UsageError('give --hostname (one or more) or --inventory');
          if (a['rsa-bits'] < 2048)
            throw new UsageError('--rsa-bits must be 2048 or more (current OpenSSL rejects smaller keys)');
          if (!(a.days >= 1 && a.days <= 3650)) throw new UsageError('--days must be between 1 and 3650');
          return true;
        }),
    handler: (args) => {
      let hostnames = args.hostname ?? [];
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
      }
      const key = { keyType: args['key-type'], rsaBits: args['rsa-bits'] };
      const issuer = args.ca ? ensureLocalCa(args['ca-dir'] ?? join(args.out, 'ca')) : undefined;
      const generated = createCertificate({ hostnames, key, days: args.days, ...(issuer ? { issuer } : {}) });
      const files = writeCertificateFiles(args.out, args.name, generated);
      process.stdout.write(
        `key:         ${files.keyFile} (mode 0600)\ncertificate: ${files.certFile}\n` +
          (files.csrFile ? `csr:         ${files.csrFile}\n` : '') +
          renderCertificate(inspectCertificate(generated.certPem)) +
          '\n',
      );
      setCode(EXIT.OK);
    },
  };
}
