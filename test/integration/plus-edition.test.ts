/**
 * The edition rule end to end: a pattern that needs sticky sessions (active-active: the portals'
 * 9443 upstream) gets NGINX Plus with its session cookie when a Plus licence is given, and NGINX
 * Community with the documented ip_hash fallback (and a warning saying why) when none is.
 *
 * The "NGINX Plus" here is a STAND-IN: the lab's plusrepo machine serves an apt repository that
 * behaves like pkgs.nginx.com for an installer (HTTPS with a client certificate, signed indexes),
 * whose `nginx-plus` package is empty and depends on Debian sid's open-source nginx >= 1.29.6
 * (vagrant/plusrepo/setup-plusrepo.sh). It proves the tool's Plus install path, not NGINX Plus.
 *
 * lb-sid is reset before and after the Plus run (packages purged, repository files removed), so
 * whatever runs next on it starts from a clean host.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab/index.js';
import { SecretScanner } from '../support/secret-scanner.js';
import { applyLab } from './support/cli.js';
import { getLab, labRun } from './support/lab.js';
import { resetLoadBalancer } from './support/lb-reset.js';
import { askNode, nodesAnswering, recapChanged, sessionCookie } from './support/lb-traffic.js';

const PORTAL = 'api.am.wso2.com';
const NODES = new Set(['aio1', 'aio2']);
const CONF = '/etc/nginx/conf.d/apim.conf';

let lab: Lab;
beforeAll(async () => {
  lab = await getLab();
});

function caNextTo(inventory: string): string {
  return readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.crt'), 'utf8');
}

async function exists(machine: string, path: string): Promise<boolean> {
  return (await lab.exec(machine, `test -e ${path}`, { root: true })).code === 0;
}

describe('with a Plus licence (stand-in repository), on lb-sid', () => {
  const lb = 'lb-sid';
  let inventory = '';

  beforeAll(async () => {
    await resetLoadBalancer(lab, lb);
    inventory = lab.inventoryFor('active-active', {
      loadBalancers: [lb],
      vars: lab.plusVars(),
      fileName: 'e2e-plus-active-active.yml',
    });
  });
  afterAll(async () => {
    await resetLoadBalancer(lab, lb);
  });

  it('installs nginx-plus from the authenticated repository and removes the repository credentials', async () => {
    // Every output channel at once, before anything is installed: the plan shows the licence and
    // the repository credentials as files to write, never their contents.
    const planned = await applyLab(inventory, lab.knownHostsFile, [
      '--check',
      '--diff',
      '-vvv',
      '--json',
      '-',
    ]);
    expect(planned.exitCode, planned.all).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({ check: true });
    // -v: a failed install prints the package manager's own words.
    const run = await applyLab(inventory, lab.knownHostsFile, ['-v']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/Plus/);
    expect(run.all).not.toMatch(/ip_hash/);

    const status = await labRun(lab, lb, "dpkg-query -W -f '${Status} ${Version}' nginx-plus", true);
    expect(status).toMatch(/^install ok installed .*~lab$/);
    // The stand-in marks itself; a real Plus package would not have this file.
    expect(await exists(lb, '/usr/share/doc/nginx-plus/README.stand-in')).toBe(true);

    expect(await exists(lb, '/etc/ssl/nginx/nginx-repo.key')).toBe(false);
    expect(await exists(lb, '/etc/ssl/nginx/nginx-repo.crt')).toBe(false);
    const jwt = await labRun(lab, lb, 'cat /etc/nginx/license.jwt', true);
    expect(jwt.trim()).toBe(readFileSync(lab.plusRepo!.jwtFile, 'utf8').trim());

    const check = await lab.exec(lb, 'nginx -t', { root: true });
    expect(check.code, check.stderr).toBe(0);
    const conf = await labRun(lab, lb, `cat ${CONF}`, true);
    expect(conf).toMatch(/^# NGINX Plus \(plus\)/m);
    expect(conf).toMatch(
      /upstream wso2_apim_all_in_one_9443 \{\n\s+sticky learn create=\$upstream_cookie_jsessionid lookup=\$cookie_jsessionid/,
    );
    expect(conf).not.toMatch(/ip_hash/);

    const again = await applyLab(inventory, lab.knownHostsFile);
    expect(again.exitCode, again.all).toBe(0);
    expect(recapChanged(again.all, lb), again.all).toBe(0);

    const plus = lab.plusRepo!;
    const scanner = new SecretScanner()
      .add('the Plus licence (JWT)', readFileSync(plus.jwtFile, 'utf8').trim())
      .addPem('the Plus repository key', readFileSync(plus.keyFile, 'utf8'))
      .addPem(
        'the local CA key',
        readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.key'), 'utf8'),
      );
    [planned, run, again].forEach((r, i) => scanner.assertClean(`CLI output #${i + 1}`, r.all));
    const logs = await labRun(lab, lb, 'cat /var/lib/apim-provision/runs/* 2>/dev/null || :', true);
    expect(logs.length).toBeGreaterThan(0);
    scanner.assertClean('run logs on the host (/var/lib/apim-provision/runs)', logs);
  });

  it('keeps a session on its node through the JSESSIONID cookie', async () => {
    const ca = caNextTo(inventory);
    const address = lab.machines[lb]!.ip;
    const ask = (cookie?: string) =>
      askNode({ address, hostname: PORTAL, ca, ...(cookie ? { cookie } : {}) });

    const first = await ask();
    expect(first.status).toBe(200);
    expect(NODES).toContain(first.answer.node);
    const cookie = sessionCookie(first.headers);
    expect(cookie).toBeDefined();
    expect(new Set(await nodesAnswering(10, () => ask(cookie)))).toEqual(new Set([first.answer.node]));
    expect(new Set(await nodesAnswering(10, () => ask()))).toEqual(NODES);

    const api = await askNode({ address, hostname: 'gw.am.wso2.com', ca });
    expect(api.status).toBe(200);
    expect(NODES).toContain(api.answer.node);
  });

  it('removes the repository credentials when the package install fails too', async () => {
    // nginx-plus gone again, and dpkg's lock (an fcntl lock) held by someone else: apt-get install
    // fails at once, after the credentials were written for the repository.
    await labRun(lab, lb, 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q nginx-plus >/dev/null', true);
    const holder =
      "import fcntl, time; f = open('/var/lib/dpkg/lock-frontend', 'w'); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(119)";
    await labRun(lab, lb, `setsid python3 -c "${holder}" >/dev/null 2>&1 </dev/null & sleep 1`, true);
    try {
      const run = await applyLab(inventory, lab.knownHostsFile);
      expect(run.exitCode, run.all).toBe(2);
      expect(run.all).toContain('installing nginx-plus failed');
      expect(run.all).toMatch(/Could not get lock|is held by process/);
    } finally {
      // The bracket keeps pkill from matching the shell that runs it.
      await labRun(lab, lb, "pkill -f 'time[.]sleep.119' || :", true);
    }
    for (const f of [
      '/etc/ssl/nginx/nginx-repo.key',
      '/etc/ssl/nginx/nginx-repo.crt',
      '/etc/apt/apt.conf.d/90pkgs-nginx',
      '/etc/apt/sources.list.d/nginx-plus.list',
    ])
      expect(await exists(lb, f), f).toBe(false);
  });
});

describe('without a licence, on lb-bookworm (nginx 1.22)', () => {
  const lb = 'lb-bookworm';

  it('installs NGINX Community, falls back to ip_hash and says why', async () => {
    // Re-uses whatever Community nginx the host has (a missing one is installed).
    const inventory = lab.inventoryFor('active-active', {
      loadBalancers: [lb],
      fileName: 'e2e-community-active-active.yml',
    });
    const run = await applyLab(inventory, lab.knownHostsFile);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/WARNING/);
    expect(run.all).toMatch(/ip_hash instead of a session cookie/);
    expect(run.all).toMatch(/NGINX Plus licence/);

    expect((await lab.exec(lb, 'dpkg-query -W nginx-plus', { root: true })).code).not.toBe(0);
    expect(await labRun(lab, lb, "dpkg-query -W -f '${Status}' nginx", true)).toBe('install ok installed');
    const conf = await labRun(lab, lb, `cat ${CONF}`, true);
    expect(conf).toMatch(/^# NGINX Community \(oss\)/m);
    expect(conf).toMatch(/upstream wso2_apim_all_in_one_9443 \{\n\s+ip_hash;/);
    expect(conf).not.toMatch(/sticky learn/);

    const ca = caNextTo(inventory);
    const address = lab.machines[lb]!.ip;
    const seen = new Set(await nodesAnswering(10, () => askNode({ address, hostname: PORTAL, ca })));
    // One client address, one node.
    expect(seen.size).toBe(1);
    expect(NODES).toContain([...seen][0]);
  });
});
