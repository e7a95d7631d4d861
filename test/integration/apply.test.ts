/**
 * `apply` end to end with the real, built CLI against the lab machine lb-apply (and only that one):
 * first install, idempotence, check/diff of manual drift, repair, JSON report, host key checks,
 * sudo with a password, rollback, and a scan of every output for secrets. The tests run in order
 * and build on each other's host state; the first one resets the host.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab, LabMachine } from '../../src/lab/index.js';
import { labPaths } from '../../src/lab/lab-paths.js';
import { requestThroughLb } from '../../src/lab/request-through-lb.js';
import { SecretScanner } from '../support/secret-scanner.js';
import { applyLab, cliOutputs, runCli, type CliRun } from './support/cli.js';
import { getLab, labRun, type StandinAnswer } from './support/lab.js';

const LB = 'lb-apply';
const CONF = '/etc/nginx/conf.d/apim.conf';
const KEY = '/etc/nginx/ssl/apim.key';
const CERT = '/etc/nginx/ssl/apim.crt';
const API_HOST = 'api.am.wso2.com';
const BECOME_PASSWORD = 'apimsudo-become';
const WRONG_BECOME_PASSWORD = 'not-the-sudo-pw-8231';

let lab: Lab;
let machine: LabMachine;
let inventory: string;
let work: string;
/** Private key PEMs seen during the run: none may ever appear in the CLI's output. */
const privateKeys: string[] = [];
const started = Date.now();

const root = (command: string) => labRun(lab, LB, command, true);

/** Hashes, modes and owners of the managed files, and the snapshot list: equal = nothing changed. */
function hostState(): Promise<string> {
  return root(
    `sha256sum ${CONF} ${CERT} ${KEY}; stat -c '%a %U:%G %n' /etc/nginx/ssl ${KEY} ${CERT} ${CONF}; ` +
      'cat /var/lib/apim-provision/snapshots/index 2>/dev/null || :',
  );
}

/** The recap line of lb-apply, e.g. `lb-apply : ok=3 changed=0 ... rt=4`. */
function recapCount(run: CliRun, key: string): number {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${LB} `) && l.includes('rt='));
  const match = line && new RegExp(`\\b${key}=(\\d+)`).exec(line);
  if (!match) throw new Error(`no ${key}= in the recap of:\n${run.all}`);
  return Number(match[1]);
}

function expectExit(run: CliRun, code: number): void {
  if (run.exitCode !== code) throw new Error(`expected exit ${code}, got ${run.exitCode}:\n${run.all}`);
}

/** One verified HTTPS request through lb-apply to the API-M stand-in behind it. */
async function requestApi() {
  const ca = readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.crt'), 'utf8');
  const res = await requestThroughLb({ address: machine.ip, hostname: API_HOST, path: '/apply-test', ca });
  return { ...res, answer: JSON.parse(res.body) as StandinAnswer };
}

beforeAll(async () => {
  lab = await getLab();
  machine = lab.machines[LB]!;
  expect(machine, 'the lab spec has no lb-apply machine').toBeDefined();
  inventory = lab.inventoryFor('single-node', { loadBalancers: [LB], fileName: 'apply-single.yml' });
  work = mkdtempSync(join(tmpdir(), 'apim-apply-test-'));
});

afterAll(() => {
  console.log(`apply.test.ts: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('apply on lb-apply (single-node pattern, real CLI)', () => {
  it('installs and configures a fresh host: files with safe modes, nginx running, HTTPS through the LB', async () => {
    await root(
      "systemctl stop nginx 2>/dev/null; DEBIAN_FRONTEND=noninteractive apt-get purge -y -q 'nginx*' >/dev/null 2>&1; " +
        'rm -rf /etc/nginx /var/lib/apim-provision; ! command -v nginx',
    );
    const run = await applyLab(inventory, lab.knownHostsFile);
    expectExit(run, 0);
    expect(recapCount(run, 'changed')).toBeGreaterThan(0);
    expect(recapCount(run, 'failed')).toBe(0);

    const modes = await root(`stat -c '%a %U:%G %n' /etc/nginx/ssl ${KEY} ${CERT} ${CONF}`);
    expect(modes.trim().split('\n')).toEqual([
      '700 root:root /etc/nginx/ssl',
      `600 root:root ${KEY}`,
      `644 root:root ${CERT}`,
      `644 root:root ${CONF}`,
    ]);
    expect(await root('pgrep -x nginx >/dev/null && echo running')).toContain('running');
    privateKeys.push(await root(`cat ${KEY}`));

    const res = await requestApi();
    expect(res.status).toBe(200);
    expect(res.answer.node).toBe('aio1');
    expect(res.answer.path).toBe('/apply-test');
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('changes nothing on a second apply, in few round trips', async () => {
    const before = await hostState();
    const run = await applyLab(inventory, lab.knownHostsFile);
    expectExit(run, 0);
    expect(recapCount(run, 'changed')).toBe(0);
    expect(recapCount(run, 'rt')).toBeLessThanOrEqual(6);
    expect(await hostState()).toBe(before);
  });

  it('--check --diff shows manual drift (conf diff, key metadata only) and touches nothing', async () => {
    // A hand edit that nginx serves: the HSTS header is gone, and the key is world-readable.
    await root(`sed -i '/Strict-Transport-Security/d' ${CONF} && chmod 0644 ${KEY} && nginx -s reload`);
    await expect.poll(async () => (await requestApi()).headers['strict-transport-security']).toBeUndefined();
    const before = await hostState();

    const detailed = await applyLab(inventory, lab.knownHostsFile, [
      '--check',
      '--diff',
      '--detailed-exitcode',
    ]);
    expectExit(detailed, 6);
    expect(detailed.stdout).toMatch(
      /^\+\s+add_header Strict-Transport-Security "max-age=63072000" always;$/m,
    );
    expect(detailed.stdout).toContain(`--- before: ${CONF}`);
    expect(detailed.stdout).toContain(`+++ after: ${CONF}`);
    expect(detailed.stdout).toContain('mode 0644 -> 0600');
    expect(detailed.stdout).toContain('(content hidden: secret)');
    expect(detailed.all).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(detailed.stdout).toContain('check mode: nothing was changed');

    const plain = await applyLab(inventory, lab.knownHostsFile, ['--check', '--diff', '-vvv']);
    expectExit(plain, 0);
    expect(await hostState()).toBe(before);
    expect((await requestApi()).headers['strict-transport-security']).toBeUndefined();
  });

  it('repairs the drift, nginx serves the repaired configuration, and --json reports it', async () => {
    const jsonFile = join(work, 'out.json');
    const run = await applyLab(inventory, lab.knownHostsFile, ['--json', jsonFile]);
    expectExit(run, 0);
    expect(recapCount(run, 'changed')).toBeGreaterThan(0);
    expect((await root(`stat -c '%a' ${KEY}`)).trim()).toBe('600');
    const res = await requestApi();
    expect(res.answer.node).toBe('aio1');
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');

    const text = readFileSync(jsonFile, 'utf8');
    cliOutputs.push(text);
    const report = JSON.parse(text) as {
      command: string;
      hosts: {
        host: string;
        status: string;
        tasks: { task: string; changes: { target: string; secret?: boolean; diff?: string }[] }[];
      }[];
    };
    expect(report.command).toBe('apply');
    expect(report.hosts.map((h) => [h.host, h.status])).toEqual([[LB, 'changed']]);
    const changes = report.hosts[0]!.tasks.flatMap((t) => t.changes);
    expect(changes.map((c) => c.target)).toEqual(expect.arrayContaining([CONF, KEY]));
    expect(changes.find((c) => c.target === KEY)).toMatchObject({ secret: true });
    expect(changes.find((c) => c.target === KEY)?.diff).toBeUndefined();
    expect(text).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses a changed host key (exit 3, names the key) and changes nothing', async () => {
    const keyFile = join(work, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'impostor', '-f', keyFile]);
    const impostor = readFileSync(`${keyFile}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    privateKeys.push(readFileSync(keyFile, 'utf8'));
    const endpoint = `[${machine.sshHost}]:${machine.sshPort}`;
    const lines = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith(`${endpoint} `));
    const knownHosts = join(work, 'known_hosts.changed');
    writeFileSync(knownHosts, [...lines, `${endpoint} ${impostor}`, ''].join('\n'));

    const before = await hostState();
    const run = await applyLab(inventory, knownHosts);
    expectExit(run, 3);
    expect(run.all).toMatch(/host key.*changed|changed.*host key/i);
    expect(run.all).toMatch(/SHA256:[A-Za-z0-9+/]{20,}/);
    expect(await hostState()).toBe(before);
  });

  it('refuses an unknown host key, and records it with --accept-new-host-keys', async () => {
    const knownHosts = join(work, 'known_hosts.empty');
    writeFileSync(knownHosts, '');
    const refused = await applyLab(inventory, knownHosts);
    expectExit(refused, 3);
    expect(refused.all).toMatch(/unknown|not known/i);
    expect(refused.all).toContain('--accept-new-host-keys');
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    const accepted = await applyLab(inventory, knownHosts, ['--accept-new-host-keys']);
    expectExit(accepted, 0);
    expect(recapCount(accepted, 'changed')).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toContain(`[${machine.sshHost}]:${machine.sshPort} `);
  });

  it('becomes root with a sudo password from the environment, and never prints it', async () => {
    const sudoInventory = lab.inventoryFor('single-node', {
      loadBalancers: [LB],
      fileName: 'apply-sudo.yml',
      hostVars: { [LB]: { ansible_user: 'apimsudo', ansible_become_password: { env: 'APIM_TEST_BECOME' } } },
    });
    const jsonFile = join(work, 'sudo.json');
    const run = await runCli(
      ['apply', sudoInventory, '--known-hosts', lab.knownHostsFile, '--json', jsonFile],
      { env: { APIM_TEST_BECOME: BECOME_PASSWORD } },
    );
    expectExit(run, 0);
    expect(recapCount(run, 'changed')).toBe(0);
    const json = readFileSync(jsonFile, 'utf8');
    cliOutputs.push(json);
    for (const text of [run.stdout, run.stderr, json]) expect(text).not.toContain(BECOME_PASSWORD);

    const before = await hostState();
    const wrong = await runCli(['apply', sudoInventory, '--known-hosts', lab.knownHostsFile], {
      env: { APIM_TEST_BECOME: WRONG_BECOME_PASSWORD },
    });
    expect([2, 3]).toContain(wrong.exitCode);
    expect(wrong.all).toMatch(/sudo refused the become password/);
    expect(wrong.all).not.toContain(WRONG_BECOME_PASSWORD);
    expect(await hostState()).toBe(before);
  });

  it('rolls back to the previous configuration (HSTS returns)', async () => {
    const noHsts = lab.inventoryFor('single-node', {
      loadBalancers: [LB],
      fileName: 'apply-nohsts.yml',
      vars: { apim_hsts: false },
    });
    const apply = await applyLab(noHsts, lab.knownHostsFile);
    expectExit(apply, 0);
    expect(recapCount(apply, 'changed')).toBeGreaterThan(0);
    expect((await requestApi()).headers['strict-transport-security']).toBeUndefined();

    const rollback = await runCli(['rollback', noHsts, '--known-hosts', lab.knownHostsFile]);
    expectExit(rollback, 0);
    const res = await requestApi();
    expect(res.answer.node).toBe('aio1');
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
    expect(Number(await root(`grep -c Strict-Transport-Security ${CONF} || :`))).toBeGreaterThan(0);
  });

  it('keeps the WSO2 files through a copy-only playbook and --tags config (the data-loss sequence)', async () => {
    const playbook = join(labPaths().root, 'playbooks', 'examples', 'maintenance-page.yml');
    const base = await applyLab(inventory, lab.knownHostsFile);
    expectExit(base, 0);
    const apim = await root(`sha256sum ${CONF} ${CERT} ${KEY}`);

    // A playbook without the apim_* tasks: its plan shows no removal, and nothing is removed.
    const check = await runCli([
      'apply',
      inventory,
      playbook,
      '--known-hosts',
      lab.knownHostsFile,
      '--check',
      '--diff',
    ]);
    expectExit(check, 0);
    expect(check.stdout).not.toMatch(/^\s+- \S+: remove/m);
    const copy = await runCli(['apply', inventory, playbook, '--known-hosts', lab.knownHostsFile]);
    expectExit(copy, 0);
    expect(copy.stdout).not.toMatch(/: remove \(|: delete \(/);
    expect(copy.stdout).not.toContain('/etc/nginx: update');
    expect(await root(`sha256sum ${CONF} ${CERT} ${KEY}`)).toBe(apim);
    expect(await root('test -f /etc/nginx/conf.d/maintenance.conf && echo present')).toContain('present');
    expect((await requestApi()).answer.node).toBe('aio1');

    // Then a configuration change with --tags config: the certificate it needs is still there.
    const noHsts = lab.inventoryFor('single-node', {
      loadBalancers: [LB],
      fileName: 'apply-tags-config.yml',
      vars: { apim_hsts: false },
    });
    const tagged = await applyLab(noHsts, lab.knownHostsFile, ['--tags', 'config']);
    expectExit(tagged, 0);
    expect(recapCount(tagged, 'changed')).toBeGreaterThan(0);
    const served = await requestApi();
    expect(served.answer.node).toBe('aio1');
    expect(served.headers['strict-transport-security']).toBeUndefined();
    expect(await root(`sha256sum ${CERT} ${KEY}`)).toBe(
      apim
        .split('\n')
        .filter((l) => !l.includes(CONF))
        .join('\n'),
    );
    // Back to the suite's configuration, and the maintenance page removed by its own playbook's means.
    await root('rm -f /etc/nginx/conf.d/maintenance.conf && nginx -s reload');
    expectExit(await applyLab(inventory, lab.knownHostsFile), 0);
  });

  it('--check leaves the controller state folder byte-identical (the local CA is only planned)', async () => {
    const state = (dir: string): string =>
      existsSync(dir)
        ? readdirSync(dir, { recursive: true })
            .map(String)
            .sort()
            .map((f) => {
              const path = join(dir, f);
              const st = statSync(path);
              const sum = st.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'dir';
              return `${f} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${sum}`;
            })
            .join('\n')
        : 'absent';
    // An inventory in a fresh folder (no local CA yet), and a host whose certificate is gone: the
    // plan issues a new certificate, so it needs the CA, which check mode only shows.
    const fresh = mkdtempSync(join(tmpdir(), 'apim-check-state-'));
    const copied = join(fresh, 'inventory.yml');
    copyFileSync(inventory, copied);
    await root(`mv ${CERT} ${CERT}.aside`);
    try {
      const check = await runCli(['apply', copied, '--known-hosts', lab.knownHostsFile, '--check', '--diff']);
      expectExit(check, 0);
      expect(check.stdout).toMatch(/\+ \S+\/\.apim-provision\/pki\/ca\.crt: create/);
      expect(check.stdout).toContain(`+ ${CERT}: create`);
    } finally {
      await root(`mv ${CERT}.aside ${CERT}`);
    }
    expect(state(join(fresh, '.apim-provision'))).toBe('absent');
    expect(readdirSync(fresh)).toEqual(['inventory.yml']);
    // The suite's inventory folder has a CA: check mode changes nothing in it either.
    const pki = join(dirname(inventory), '.apim-provision');
    const before = state(pki);
    expectExit(await applyLab(inventory, lab.knownHostsFile, ['--check', '--diff']), 0);
    expect(state(pki)).toBe(before);
  });

  it('refuses injection: literal values at validate, rendered ones before anything runs on the host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-injection-'));
    const write = (name: string, owner: string) => {
      const file = join(dir, name);
      writeFileSync(
        file,
        [
          '- hosts: loadbalancers',
          '  become: true',
          '  tasks:',
          '    - name: a file',
          '      file:',
          '        path: /tmp/apim-injection-target',
          '        state: touch',
          `        owner: ${JSON.stringify(owner)}`,
          '',
        ].join('\n'),
      );
      return file;
    };
    await root('rm -f /tmp/x /tmp/apim-injection-target');
    const literal = await runCli(['validate', inventory, write('literal.yml', 'root; touch /tmp/x')]);
    expectExit(literal, 4);
    expect(literal.stdout).toContain('literal.yml');
    expect(literal.stdout).toMatch(/8:\d+\s+error\s+file\.owner: is not a valid user or group name/);
    const applyLiteral = await runCli([
      'apply',
      inventory,
      write('literal.yml', 'root; touch /tmp/x'),
      '--known-hosts',
      lab.knownHostsFile,
    ]);
    expectExit(applyLiteral, 4);
    expect(applyLiteral.all).toContain('nothing was contacted');

    const templated = lab.inventoryFor('single-node', {
      loadBalancers: [LB],
      fileName: 'apply-injection.yml',
      vars: { evil_owner: 'root; touch /tmp/x' },
    });
    const run = await runCli([
      'apply',
      templated,
      write('templated.yml', "{{ evil_owner | default('root') }}"),
      '--known-hosts',
      lab.knownHostsFile,
    ]);
    expectExit(run, 2);
    expect(run.all).toContain(
      'file.owner: "root; touch /tmp/x" (rendered from "{{ evil_owner | default(\'root\') }}")',
    );
    expect(run.all).toContain('nothing was run for it');
    expect(await root('ls /tmp/x /tmp/apim-injection-target 2>&1 || :')).toMatch(
      /No such file[\s\S]*No such file/,
    );
  });

  it('never printed a password, passphrase or private key, nor a value derived from one, on any channel', async () => {
    privateKeys.push(readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.key'), 'utf8'));
    expect(cliOutputs.length).toBeGreaterThan(10);
    const scanner = new SecretScanner()
      .add('the become password', BECOME_PASSWORD)
      .add('the wrong become password', WRONG_BECOME_PASSWORD);
    privateKeys.forEach((pem, i) => scanner.addPem(`private key #${i + 1}`, pem));
    // Text, -vvv, --diff and --json outputs all land in cliOutputs; the host keeps its run logs.
    cliOutputs.forEach((output, i) => scanner.assertClean(`CLI output #${i + 1}`, output));
    const logs = await root('cat /var/lib/apim-provision/runs/* 2>/dev/null || :');
    expect(logs.length).toBeGreaterThan(0);
    scanner.assertClean('run logs on the host (/var/lib/apim-provision/runs)', logs);
  });
});
