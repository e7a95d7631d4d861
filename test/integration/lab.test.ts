/**
 * Proves the Vagrant lab itself (brought up by global-setup.ts): SSH to every machine with the
 * generated inventories and the lab's known_hosts, the stand-in API-M nodes, the stand-in NGINX
 * Plus repository. The tool's own behaviour is tested elsewhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import {
  DEFAULT_LAB_SPEC,
  LAB_PATTERNS,
  LAB_PATTERN_LAYOUTS,
  labStatus,
  parseLabSpec,
  type Lab,
  type LabMachine,
} from '../../src/lab/index.js';
import {
  curlFrom,
  getLab,
  labRun,
  webSocketExchange,
  type CurlResult,
  type StandinAnswer,
} from './support/lab.js';

let lab: Lab;

/** Every load balancer of the lab spec: inventories list them all unless told otherwise. */
const LOAD_BALANCERS = DEFAULT_LAB_SPEC.machines
  .filter((m) => m.role === 'lb')
  .map((m) => m.name)
  .sort();
beforeAll(async () => {
  lab = await getLab();
});

interface InventoryHost {
  ansible_host: string;
  ansible_port: number;
  ansible_user: string;
  ansible_ssh_private_key_file: string;
  ansible_become: boolean;
}

/** A lab machine as the inventory lists it. */
function hostOf(m: LabMachine, user = m.user): InventoryHost {
  return {
    ansible_host: m.sshHost,
    ansible_port: m.sshPort,
    ansible_user: user,
    ansible_ssh_private_key_file: m.keyFile,
    ansible_become: true,
  };
}

/** ssh as the user, checking host keys (lab's known_hosts unless given); never prompts. */
function sshWith(
  host: InventoryHost,
  user: string,
  command: string,
  options: { knownHostsFile?: string; input?: string } = {},
) {
  return execa(
    'ssh',
    [
      '-F',
      'none',
      '-i',
      host.ansible_ssh_private_key_file,
      '-p',
      String(host.ansible_port),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${options.knownHostsFile ?? lab.knownHostsFile}`,
      `${user}@${host.ansible_host}`,
      command,
    ],
    { reject: false, ...(options.input !== undefined ? { input: options.input } : {}) },
  );
}

describe('SSH to the lab machines', () => {
  it('reaches every load balancer with the generated inventory, checking host keys, with passwordless sudo', async () => {
    const inventory = parse(readFileSync(lab.inventoryFor('single-node'), 'utf8')) as {
      all: { children: { loadbalancers: { hosts: Record<string, InventoryHost> } } };
    };
    const hosts = inventory.all.children.loadbalancers.hosts;
    expect(Object.keys(hosts).sort()).toEqual(LOAD_BALANCERS);
    for (const [name, host] of Object.entries(hosts)) {
      expect(host.ansible_host).toBe('127.0.0.1');
      expect(host.ansible_become).toBe(true);
      const result = await sshWith(host, host.ansible_user, 'hostname && sudo -n id -u');
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n')).toEqual([name, '0']);
    }
  });

  it('reaches every machine through lab.exec, as root on request', async () => {
    for (const name of Object.keys(lab.machines)) {
      expect((await labRun(lab, name, 'hostname')).trim()).toBe(name);
      expect((await labRun(lab, name, 'id -un', true)).trim()).toBe('root');
    }
  });

  it('refuses a load balancer whose host key is not the recorded one', async () => {
    const lb = lab.machines['lb-bookworm']!;
    const other = lab.machines['lb-sid']!;
    const dir = mkdtempSync(join(tmpdir(), 'lab-known-hosts-'));
    try {
      // lb-sid's keys recorded under lb-bookworm's endpoint: ssh must see a changed host key.
      const theirs = readFileSync(lab.knownHostsFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(`[127.0.0.1]:${other.sshPort} `))
        .map((l) => l.replace(`[127.0.0.1]:${other.sshPort}`, `[127.0.0.1]:${lb.sshPort}`));
      const file = join(dir, 'known_hosts');
      writeFileSync(file, theirs.join('\n') + '\n');
      const result = await sshWith(hostOf(lb), lb.user, 'true', { knownHostsFile: file });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a user whose sudo asks for a password, and accepts that password', async () => {
    const lb = lab.machines['lb-sid']!;
    const host = hostOf(lb, lab.passwordSudo.user);
    const refused = await sshWith(host, lab.passwordSudo.user, 'sudo -n true');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/password is required/);
    const accepted = await sshWith(host, lab.passwordSudo.user, "sudo -S -p '' id -u", {
      input: lab.passwordSudo.password + '\n',
    });
    expect(accepted.stdout.trim()).toBe('0');
  });

  it('uses only lab container addresses and 127.0.0.1', () => {
    for (const m of Object.values(lab.machines)) {
      expect(m.sshHost).toBe('127.0.0.1');
      expect(m.ip).toMatch(/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/);
    }
  });
});

describe('lab status and spec', () => {
  it('reports every machine of the spec running', async () => {
    const states = await labStatus();
    for (const m of DEFAULT_LAB_SPEC.machines) expect(states[m.name]).toBe('running');
  });

  it('rejects a spec whose stand-ins sit on a non-apim machine or share a port offset', () => {
    const aio1 = DEFAULT_LAB_SPEC.standins[0]!;
    expect(() => parseLabSpec({ ...DEFAULT_LAB_SPEC, standins: [{ ...aio1, machine: 'lb-sid' }] })).toThrow(
      /lb-sid is not an apim machine/,
    );
    expect(() => parseLabSpec({ ...DEFAULT_LAB_SPEC, standins: [aio1, { ...aio1, name: 'other' }] })).toThrow(
      /offset 0 is taken on apim1/,
    );
    expect(parseLabSpec(DEFAULT_LAB_SPEC)).toEqual(DEFAULT_LAB_SPEC);
  });
});

describe('lab images', () => {
  it('ship no nginx (the tool installs it) on either suite', async () => {
    for (const image of ['apim-lab/host:bookworm', 'apim-lab/host:sid']) {
      const result = await execa(
        'docker',
        ['run', '--rm', image, 'sh', '-c', 'command -v nginx; dpkg -l nginx 2>&1'],
        {
          reject: false,
        },
      );
      expect(result.stdout).not.toMatch(/\/nginx$|^ii\s+nginx/m);
    }
  });
});

describe('inventories for every pattern', () => {
  it.each(LAB_PATTERNS.map((p) => [p]))('%s loads with the tool’s inventory loader', (pattern) => {
    const file = lab.inventoryFor(pattern);
    const { inventory, diagnostics } = loadInventory(file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const layout = LAB_PATTERN_LAYOUTS[pattern];
    expect(inventory!.loadBalancers.map((lb) => lb.host.name).sort()).toEqual(LOAD_BALANCERS);
    for (const lb of inventory!.loadBalancers) {
      expect(lb.deployment.pattern).toBe(layout.pattern);
      expect(lb.deployment.version).toBe(layout.version);
      for (const [role, names] of Object.entries(layout.groups)) {
        const backends = lb.deployment.nodes[role as keyof typeof layout.groups]!;
        expect(backends.map((b) => b.name)).toEqual(names);
        for (const b of backends) {
          const s = lab.standins.find((x) => x.name === b.name)!;
          expect(b.address).toBe(lab.machines[s.machine]!.ip);
          expect(b.portOffset).toBe(s.offset);
        }
      }
    }
  });

  it('writes the stand-in Plus repository variables for a Plus inventory', () => {
    const file = lab.inventoryFor('active-active', {
      loadBalancers: ['lb-sid'],
      vars: lab.plusVars(),
      fileName: 'active-active-plus.yml',
    });
    const { inventory, diagnostics } = loadInventory(file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const lb = inventory!.loadBalancers[0]!;
    expect(lb.editionChoice).toBe('plus');
    expect(lb.plusLicence?.repoCertificateFile).toBe(lab.plusRepo!.certificateFile);
    expect(lb.install.repoUrl).toBe(lab.plusRepo!.repoUrl);
  });
});

describe('stand-in API-M nodes', () => {
  it('answer on 9443+offset with their name and set JSESSIONID, seen from a load balancer', async () => {
    // Four SSH sessions at a time: sshd's MaxStartups drops more unauthenticated ones.
    const answers: CurlResult[] = [];
    for (let i = 0; i < lab.standins.length; i += 4) {
      const batch = lab.standins
        .slice(i, i + 4)
        .map((s) => `https://${lab.machines[s.machine]!.ip}:${9443 + s.offset}/carbon/`);
      answers.push(...(await Promise.all(batch.map((url) => curlFrom(lab, 'lb-bookworm', ['-k', url])))));
    }
    for (const [i, s] of lab.standins.entries()) {
      const first = answers[i]!;
      expect(first.status).toBe(200);
      const answer = JSON.parse(first.body) as StandinAnswer;
      expect(answer).toMatchObject({ node: s.name, role: s.role, port: 9443 + s.offset, path: '/carbon/' });
      expect(first.headers).toMatch(/^set-cookie: JSESSIONID=[0-9A-F]{32}; Path=\/; Secure; HttpOnly\r?$/im);
    }
  });

  it('does not set a new JSESSIONID when the client sends one, and reports forwarding headers', async () => {
    const ip = lab.machines.apim1!.ip;
    const result = await curlFrom(lab, 'lb-sid', [
      '-k',
      '-H',
      'Cookie: JSESSIONID=ABC',
      '-H',
      'X-Forwarded-Host: api.am.wso2.com',
      `https://${ip}:9443/publisher/apis`,
    ]);
    expect(result.headers).not.toMatch(/set-cookie/i);
    const answer = JSON.parse(result.body) as StandinAnswer;
    expect(answer.node).toBe('aio1');
    expect(answer.headers['X-Forwarded-Host']).toBe('api.am.wso2.com');
    expect(answer.headers.Cookie).toBe('JSESSIONID=ABC');
  });

  it('answer API traffic on 8243 (HTTPS) and 8280 (HTTP) without cookies', async () => {
    const s = lab.standins.find((x) => x.name === 'gw2')!;
    const ip = lab.machines[s.machine]!.ip;
    const https = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${ip}:${8243 + s.offset}/api/v1`]);
    const http = await curlFrom(lab, 'lb-bookworm', [`http://${ip}:${8280 + s.offset}/api/v1`]);
    for (const [r, port] of [
      [https, 8243],
      [http, 8280],
    ] as const) {
      expect(r.status).toBe(200);
      expect(r.headers).not.toMatch(/set-cookie/i);
      expect(JSON.parse(r.body)).toMatchObject({ node: 'gw2', port: port + s.offset });
    }
  });

  it('answer WebSocket handshakes on 9099+offset (ws) and 8099+offset (wss) and echo one frame', async () => {
    const s = lab.standins.find((x) => x.name === 'gw1')!;
    const ip = lab.machines[s.machine]!.ip;
    for (const [port, tls] of [
      [9099 + s.offset, false],
      [8099 + s.offset, true],
    ] as const) {
      const ws = await webSocketExchange(ip, port, tls, 'ping');
      expect(ws.statusLine).toMatch(/^HTTP\/1\.1 101/);
      expect(ws.accept).toBe(ws.expectedAccept);
      expect(ws.echo).toBe('gw1: ping');
    }
  });

  it('present a certificate of their machine’s lab CA for the API-M names, and unexpected ones on request', async () => {
    const ip = lab.machines.apim1!.ip;
    const ca = await labRun(lab, 'apim1', 'cat /etc/apim-standin/ca.crt');
    await lab.exec('lb-bookworm', 'cat > /tmp/apim-lab-ca1.pem', { stdin: ca });
    const fetch = (port: number, name = 'api.am.wso2.com', extra = '--cacert /tmp/apim-lab-ca1.pem') =>
      lab.exec(
        'lb-bookworm',
        `curl -sS -o /dev/null -w '%{http_code}' ${extra} --resolve ${name}:${port}:${ip} https://${name}:${port}/`,
      );
    expect((await fetch(9443)).stdout).toBe('200');
    expect((await fetch(8243, 'gw.am.wso2.com')).stdout).toBe('200');
    const ctl = '/opt/apim-lab/standin/standin-ctl';
    try {
      await labRun(
        lab,
        'apim1',
        // Offsets past the lab spec's (0-80), so no lab node is displaced.
        `${ctl} start tlsrogue 100 all_in_one 3.x rogue && ${ctl} start tlswrong 110 all_in_one 3.x wrongname`,
        true,
      );
      const rogue = await fetch(9543);
      expect(rogue.code).toBe(60); // curl: peer certificate cannot be authenticated
      expect((await fetch(9543, 'api.am.wso2.com', '-k')).stdout).toBe('200');
      const wrong = await fetch(9553);
      expect(wrong.code).toBe(60);
      expect(wrong.stderr).toMatch(/subject name|does not match/i);
    } finally {
      await labRun(lab, 'apim1', `${ctl} stop tlsrogue; ${ctl} stop tlswrong`, true);
    }
  });

  it('report the size and SHA-256 of request bodies, answer the Version service and redirect to the login page', async () => {
    const s = lab.standins.find((x) => x.name === 'gw2')!;
    const ip = lab.machines[s.machine]!.ip;
    await labRun(
      lab,
      'lb-sid',
      'head -c 1048576 /dev/urandom > /tmp/apim-lab-body && sha256sum /tmp/apim-lab-body',
    );
    const sum = (await labRun(lab, 'lb-sid', 'sha256sum /tmp/apim-lab-body')).split(' ')[0];
    const post = await curlFrom(lab, 'lb-sid', [
      '-k',
      '--data-binary',
      '@/tmp/apim-lab-body',
      `https://${ip}:${8243 + s.offset}/upload`,
    ]);
    const answer = JSON.parse(post.body) as StandinAnswer;
    expect([answer.method, answer.body_bytes, answer.body_sha256]).toEqual(['POST', 1048576, sum]);
    const version = await curlFrom(lab, 'lb-sid', [
      '-k',
      `https://${ip}:${9443 + s.offset}/services/Version`,
    ]);
    expect(version.body).toMatch(/^<ns:getVersionResponse .*<return>WSO2 API Manager stand-in<\/return>/);
    // Carbon builds the login URL from its configuration, whatever Host the request carried.
    const login = await curlFrom(lab, 'lb-sid', [
      '-k',
      '-H',
      'Host: cp.example.test',
      `https://${ip}:${9443 + s.offset}/oauth2/authorize?x=1`,
    ]);
    expect(login.status).toBe(302);
    expect(login.headers).toMatch(
      new RegExp(
        `^location: https://localhost:${9443 + s.offset}/authenticationendpoint/login\\.do\\?sessionDataKey=standin&node=gw2\r?$`,
        'im',
      ),
    );
  });

  it('answer the 4.x WebSub event receivers on 9021+offset (HTTP) and 8021+offset (HTTPS)', async () => {
    const s = lab.standins.find((x) => x.name === 'gw1')!;
    const ip = lab.machines[s.machine]!.ip;
    const http = await curlFrom(lab, 'lb-bookworm', [`http://${ip}:${9021 + s.offset}/hub`]);
    const https = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${ip}:${8021 + s.offset}/hub`]);
    expect(JSON.parse(http.body)).toMatchObject({ node: 'gw1', kind: 'websub-http', port: 9021 + s.offset });
    expect(JSON.parse(https.body)).toMatchObject({
      node: 'gw1',
      kind: 'websub-https',
      port: 8021 + s.offset,
    });
  });

  it('can be stopped and started one at a time (for fail-over tests)', async () => {
    const ip = lab.machines.apim2!.ip;
    await lab.stopStandin('aio2');
    try {
      const down = await lab.exec('lb-bookworm', `curl -sk -o /dev/null https://${ip}:9443/`);
      expect(down.code).toBe(7); // curl: failed to connect
      const other = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${ip}:9463/`]);
      expect((JSON.parse(other.body) as StandinAnswer).node).toBe('gw2');
    } finally {
      await lab.startStandin('aio2');
    }
    const up = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${ip}:9443/`]);
    expect((JSON.parse(up.body) as StandinAnswer).node).toBe('aio2');
  });
});

describe('stand-in NGINX Plus repository', () => {
  const inRelease = () => `${lab.plusRepo!.repoUrl}/dists/sid/InRelease`;

  it('refuses a client without the licence certificate', async () => {
    const result = await execa(
      'curl',
      ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', lab.plusRepo!.caFile, inRelease()],
      {
        reject: false,
      },
    );
    expect(['400', '403']).toContain(result.stdout);
  });

  it('serves a signed InRelease to a client with the licence certificate', async () => {
    const p = lab.plusRepo!;
    const result = await execa('curl', [
      '-sSf',
      '--cacert',
      p.caFile,
      '--cert',
      p.certificateFile,
      '--key',
      p.keyFile,
      inRelease(),
    ]);
    expect(result.stdout).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    expect(result.stdout).toMatch(/^Codename: sid$/m);
    expect(result.stdout).toMatch(/^Components: nginx-plus$/m);
    expect(readFileSync(p.signingKeyFile, 'utf8')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    expect(p.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(readFileSync(p.jwtFile, 'utf8').trim().split('.')).toHaveLength(3);
  });

  it('lets apt on lb-sid update from it and download nginx-plus with its nginx >= 1.29.6', async () => {
    const p = lab.plusRepo!;
    const host = new URL(p.repoUrl).hostname;
    const d = '/tmp/apim-lab-plus-check';
    // Private apt state and sources, so the load balancer's own apt configuration stays untouched.
    const files = {
      'ca.crt': readFileSync(p.caFile, 'utf8'),
      'repo.crt': readFileSync(p.certificateFile, 'utf8'),
      'repo.key': readFileSync(p.keyFile, 'utf8'),
      'signing.asc': readFileSync(p.signingKeyFile, 'utf8'),
      'sources/plus.list': `deb [signed-by=${d}/signing.asc] ${p.repoUrl} sid nginx-plus\n`,
      'apt.conf': [
        `Dir::Etc::SourceParts "${d}/sources";`,
        `Dir::State::Lists "${d}/lists";`,
        `Dir::Cache::Archives "${d}/archives";`,
        `Acquire::https::${host}::CaInfo "${d}/ca.crt";`,
        `Acquire::https::${host}::SslCert "${d}/repo.crt";`,
        `Acquire::https::${host}::SslKey "${d}/repo.key";`,
        '',
      ].join('\n'),
    };
    const write = Object.entries(files)
      .map(([name, content]) => `cat > ${d}/${name} <<'LAB_EOF'\n${content.trimEnd()}\nLAB_EOF`)
      .join('\n');
    await labRun(
      lab,
      'lb-sid',
      `rm -rf ${d} && mkdir -p ${d}/sources ${d}/lists/partial ${d}/archives/partial\n${write}`,
      true,
    );
    try {
      const apt = `APT_CONFIG=${d}/apt.conf apt-get`;
      const update = await lab.exec('lb-sid', `${apt} update -q`, { root: true });
      expect(update.stderr).not.toMatch(/^(E|W):/m);
      expect(update.stdout).toContain(`${p.repoUrl} sid InRelease`);
      // `apt-get download` fetches the package whatever is installed on lb-sid (other suites may
      // have left sid's nginx there, which an install --download-only would then skip).
      const download = await lab.exec(
        'lb-sid',
        `cd ${d}/archives && APT_CONFIG=${d}/apt.conf apt-get download -q nginx-plus`,
        {
          root: true,
        },
      );
      expect(download.code, download.stderr).toBe(0);
      const debs = (await labRun(lab, 'lb-sid', `ls ${d}/archives`)).split('\n');
      expect(debs).toContainEqual(expect.stringMatching(/^nginx-plus_.*_all\.deb$/));
      // Its dependency is sid's nginx, at a version with the open-source sticky directive.
      const depends = await labRun(
        lab,
        'lb-sid',
        `APT_CONFIG=${d}/apt.conf apt-cache depends nginx-plus`,
        true,
      );
      expect(depends).toMatch(/Depends: nginx/);
      const policy = await labRun(lab, 'lb-sid', `APT_CONFIG=${d}/apt.conf apt-cache policy nginx`, true);
      const version = /Candidate: (?:\d+:)?([0-9.]+)/.exec(policy)?.[1] ?? '0';
      const [major, minor, patch] = version.split('.').map(Number);
      expect(major! * 10000 + minor! * 100 + patch!).toBeGreaterThanOrEqual(12906);
    } finally {
      await lab.exec('lb-sid', `rm -rf ${d}`, { root: true });
    }
  });
});
