/**
 * `main([...])` in-process: exit codes for usage errors, invalid input (before any host is
 * contacted), validate, render for every example inventory, `certs create`, and help text.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import yargs, { type Argv } from 'yargs';
import { inspectCertificate } from '../../../src/certs/index.js';
import { main, withoutEagerHelp } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { captureOutput, countingServer } from './support.js';

const output = captureOutput();

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'inventories');
const tempDir = () => mkdtempSync(join(tmpdir(), 'apim-cli-'));

/** Example inventories: every top-level .yml, and inventory.yml of each example folder. */
function exampleInventories(): string[] {
  return readdirSync(EXAMPLES)
    .map((name) => join(EXAMPLES, name))
    .map((p) => (statSync(p).isDirectory() ? join(p, 'inventory.yml') : p))
    .filter((p) => p.endsWith('.yml'));
}

describe('apim-provision main()', () => {
  it('exits 5 for an unknown command, a missing argument or a bad option value', async () => {
    expect(await main(['frobnicate'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain("Run 'apim-provision --help' for usage.");
    expect(await main(['apply'])).toBe(EXIT.USAGE);
    expect(await main(['apply', join(EXAMPLES, 'single-node.yml'), '--serial', 'half'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('--serial takes N or N%');
    expect(output.stderr).not.toContain('unexpected error');
    expect(
      await main(['certs', 'create', '--hostname', 'a.test', '--key-type', 'rsa', '--rsa-bits', '1024']),
    ).toBe(EXIT.USAGE);
    expect(await main(['certs', 'create', '--hostname', 'a.test', '--rsa-bits', '3072'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain('--rsa-bits sizes RSA keys: add --key-type rsa');
    expect(await main([])).toBe(EXIT.USAGE);
  });

  it('exits 4 for an invalid inventory and contacts no host, not even one listening', async () => {
    const listener = await countingServer();
    try {
      const dir = tempDir();
      const file = join(dir, 'inventory.yml');
      writeFileSync(
        file,
        [
          'all:',
          '  children:',
          '    loadbalancers:',
          '      hosts:',
          '        lb1:',
          '          ansible_host: 127.0.0.1',
          `          ansible_port: ${listener.port}`,
          '      vars:',
          '        apim_pattern: single-nod',
          '    apim_all_in_one:',
          '      hosts:',
          '        apim1: { apim_address: 192.0.2.10 }',
          '',
        ].join('\n'),
      );
      const code = await main(['apply', file, '--known-hosts', join(dir, 'known_hosts')]);
      expect(code).toBe(EXIT.INVALID_INPUT);
      expect(output.stderr).toContain('apim_pattern');
      expect(output.stderr).toContain('single-node');
      expect(output.stderr).toContain('nothing was contacted');
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });

  it('validates an example inventory (exit 0)', async () => {
    expect(await main(['validate', join(EXAMPLES, 'single-node.yml')])).toBe(EXIT.OK);
    expect(output.stdout).toContain('valid: 1 load balancer(s), 2 play(s)');
  });

  it('renders the conf.d file of every load balancer of every example inventory (exit 0)', async () => {
    // The group_vars example reads its sudo password from APIM_BECOME_PASSWORD, which is not set
    // here: render uses no secret, so it must not ask for one.
    vi.stubEnv('APIM_BECOME_PASSWORD', undefined);
    const inventories = exampleInventories();
    expect(inventories.length).toBeGreaterThanOrEqual(9);
    for (const inventory of inventories) {
      output.clear();
      const code = await main(['render', inventory]);
      expect(code, `${inventory}: ${output.stderr}`).toBe(EXIT.OK);
      const headers = output.stdout.match(
        /^# ===== \S+: \/etc\/nginx\/conf\.d\/\S+\.conf \(edition (oss|plus)\) =====$/gm,
      );
      expect(headers?.length, inventory).toBeGreaterThanOrEqual(1);
      expect(output.stdout).toMatch(/^server \{$/m);
      expect(output.stdout).toContain('ssl_certificate /etc/nginx/ssl/');
    }
  });

  it('certs create writes a 0600 key and a certificate covering every name', async () => {
    const out = tempDir();
    const code = await main([
      'certs',
      'create',
      '--hostname',
      'api.example.test',
      '--hostname',
      'gw.example.test',
      '--out',
      out,
      '--name',
      'lb',
    ]);
    expect(code).toBe(EXIT.OK);
    expect(statSync(join(out, 'lb.key')).mode & 0o777).toBe(0o600);
    // ECDSA P-256 unless RSA is asked for.
    const key = createPrivateKey(readFileSync(join(out, 'lb.key'), 'utf8'));
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const cert = inspectCertificate(readFileSync(join(out, 'lb.crt'), 'utf8'));
    expect(cert.sans).toEqual(expect.arrayContaining(['api.example.test', 'gw.example.test']));
    expect(output.stdout).toContain('(mode 0600)');
    expect(output.stdout).not.toMatch(/PRIVATE KEY/);
  });

  it('certs create makes an RSA key of the size asked for with --key-type rsa', async () => {
    const out = tempDir();
    const args = ['certs', 'create', '--hostname', 'api.example.test', '--out', out, '--name', 'lb'];
    expect(await main([...args, '--key-type', 'rsa', '--rsa-bits', '3072'])).toBe(EXIT.OK);
    const key = createPrivateKey(readFileSync(join(out, 'lb.key'), 'utf8'));
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });
});

describe('help text', () => {
  /** yargs' own record of a rendered-ahead help text (what withoutEagerHelp avoids). */
  const helpRenderedAhead = (cli: Argv) =>
    (cli as unknown as { getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } } })
      .getInternalMethods()
      .getUsageInstance()
      .hasCachedHelpMessage();
  const withCommand = (cli: Argv) => cli.command('run', 'runs', {}, () => {});

  it('is not rendered when a command runs, as yargs would by default', async () => {
    const eager = withCommand(yargs(['run']));
    await eager.parseAsync();
    expect(helpRenderedAhead(eager)).toBe(true);
    const lazy = withCommand(withoutEagerHelp(yargs(['run'])));
    await lazy.parseAsync();
    expect(helpRenderedAhead(lazy)).toBe(false);
  });

  it("is still printed in full by --help, the command's own and the top level", () => {
    // yargs ends the process after printing help, so the built CLI runs in a child process.
    const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'apim-provision.js');
    const help = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    const apply = help('apply', '--help');
    expect(apply).toMatch(/^apim-provision apply \[inv\] \[playbook\]\n\nBring every load balancer/);
    expect(apply).toMatch(/^ {2}-l, --limit +host or group patterns/m);
    expect(apply).toMatch(/^ {2}-h, --help +Show help +\[boolean\]$/m);
    const top = help('-h');
    expect(top).toMatch(/^apim-provision <command> \[options\]\n\nNGINX load balancers/);
    expect(top).toMatch(/^ {2}apim-provision validate /m);
  });
});
