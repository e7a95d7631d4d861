/**
 * End to end, for every WSO2 pattern the lab lays out: the real CLI provisions a lab load balancer,
 * then real HTTPS traffic from this process goes through it to the STAND-IN API-M nodes
 * (vagrant/standin/apim_standin.py, not WSO2 API-M), whose JSON answers name the node reached and
 * the headers that arrived. Both load balancers get every pattern: lb-bookworm (nginx 1.22, Debian:
 * `listen ... http2`, ip_hash as the Community sticky fallback) and lb-sid (nginx >= 1.29.6:
 * `http2 on`, open-source `sticky learn` on JSESSIONID). The load balancer verifies every node's
 * certificate (apim_upstream_tls_verify) against the stand-ins' lab CAs.
 *
 * For speed, the patterns are applied one after another on the same load balancer: nginx is
 * installed once (after a reset to a clean host) and each apply replaces the previous pattern.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab, LabPattern } from '../../src/lab/index.js';
import { applyLab, type CliRun } from './support/cli.js';
import { curlFrom, getLab, labRun, webSocketExchange, type StandinAnswer } from './support/lab.js';
import { resetLoadBalancer } from './support/lb-reset.js';
import {
  answerOf,
  askNode,
  forwardedHeader,
  handshake,
  nodesAnswering,
  plainGet,
  recapChanged,
  send,
  sessionCookie,
  standinCaBundle,
} from './support/lb-traffic.js';
import { configureStandin, standinNode } from './support/standin-homes.js';

type LbName = 'lb-bookworm' | 'lb-sid';

/** How the load balancer should spread a hostname's requests over its nodes. */
type Balancing = 'single' | 'spread' | 'sticky' | 'failover';

interface SiteCase {
  hostname: string;
  /** Request path; a path prefix of its own (`/services/`) may reach other nodes than `/`. */
  path: string;
  /** Stand-ins allowed to answer; for `failover`, the primary first, then the backup. */
  nodes: string[];
  /** WSO2 port the nodes are reached on (before their offset). */
  wso2Port: 9443 | 8243;
  balancing: Balancing;
}

interface PatternCase {
  pattern: LabPattern;
  sites: SiteCase[];
  /** Nodes behind the gateway hostname's WebSocket and pass-through listeners (none: no gateway). */
  gatewayNodes: string[];
  /** Port 80 of the gateway name, as the version's pages say (`proxy`: plain HTTP to 8280). */
  gatewayHttp?: 'proxy' | 'refuse';
  /** 4.x: WebSub listeners 9021/8021 too. */
  websub?: boolean;
}

const portal = (hostname: string, nodes: string[], balancing: Balancing): SiteCase => ({
  hostname,
  path: '/e2e',
  nodes,
  wso2Port: 9443,
  balancing,
});
const gateway = (nodes: string[]): SiteCase => ({
  hostname: 'gw.am.wso2.com',
  path: '/e2e',
  nodes,
  wso2Port: 8243,
  balancing: nodes.length > 1 ? 'spread' : 'single',
});
/** The distributed pages' gateway service_url: `https://<gateway LB host>/services/`. */
const gatewayServices = (nodes: string[], balancing: Balancing): SiteCase => ({
  ...portal('gw.am.wso2.com', nodes, balancing),
  path: '/services/e2e',
});

/** Written from the WSO2 pages (and their corrections), not from the tool's layout table. */
const PATTERNS: PatternCase[] = [
  {
    pattern: 'single-node',
    sites: [portal('api.am.wso2.com', ['aio1'], 'single'), gateway(['aio1'])],
    gatewayNodes: ['aio1'],
    gatewayHttp: 'refuse',
  },
  {
    pattern: 'active-active',
    sites: [portal('api.am.wso2.com', ['aio1', 'aio2'], 'sticky'), gateway(['aio1', 'aio2'])],
    gatewayNodes: ['aio1', 'aio2'],
    gatewayHttp: 'refuse',
  },
  {
    pattern: 'ha-gateway',
    sites: [
      portal('mgtgw.am.wso2.com', ['gwm1'], 'single'),
      gateway(['gw1', 'gw2']),
      gatewayServices(['gwm1'], 'single'),
    ],
    gatewayNodes: ['gw1', 'gw2'],
    gatewayHttp: 'proxy',
  },
  {
    pattern: 'ha-gateway-multi',
    sites: [
      portal('mgtgw.am.wso2.com', ['gwm1', 'gwm2'], 'sticky'),
      gateway(['gw1', 'gw2']),
      gatewayServices(['gwm1', 'gwm2'], 'sticky'),
    ],
    gatewayNodes: ['gw1', 'gw2'],
    gatewayHttp: 'proxy',
  },
  {
    // Gateways without a manager: every node manages (shared file system), /services/ sticks.
    pattern: '3x-gateway-cluster',
    sites: [gateway(['gw1', 'gw2']), gatewayServices(['gw1', 'gw2'], 'sticky')],
    gatewayNodes: ['gw1', 'gw2'],
    gatewayHttp: 'proxy',
  },
  {
    pattern: 'ha-publisher',
    sites: [portal('publisher.am.wso2.com', ['pub1', 'pub2'], 'sticky')],
    gatewayNodes: [],
  },
  {
    // The docs' store upstream points at the publisher nodes; the store must reach store nodes.
    pattern: 'ha-store',
    sites: [portal('store.am.wso2.com', ['store1', 'store2'], 'sticky')],
    gatewayNodes: [],
  },
  {
    pattern: 'ha-keymanager',
    sites: [portal('km.am.wso2.com', ['km1', 'km2'], 'sticky')],
    gatewayNodes: [],
  },
  {
    // 3.x: the Publisher's [apim.throttling] service_url goes through the TM LB host, sticky.
    pattern: '3x-traffic-manager',
    sites: [portal('tm.am.wso2.com', ['tm1', 'tm2'], 'sticky')],
    gatewayNodes: [],
  },
  {
    pattern: '4x-distributed',
    sites: [
      gateway(['gw1', 'gw2']),
      portal('gwm.am.wso2.com', ['gw1', 'gw2'], 'failover'),
      gatewayServices(['gw1', 'gw2'], 'failover'),
      portal('cp.am.wso2.com', ['cp1', 'cp2'], 'sticky'),
      portal('tm.am.wso2.com', ['tm1', 'tm2'], 'failover'),
    ],
    gatewayNodes: ['gw1', 'gw2'],
    gatewayHttp: 'proxy',
    websub: true,
  },
  {
    pattern: '4x-keymanager',
    sites: [
      portal('cp.am.wso2.com', ['cp1', 'cp2'], 'sticky'),
      portal('km.am.wso2.com', ['km1', 'km2'], 'sticky'),
    ],
    gatewayNodes: [],
  },
  {
    pattern: '4x-simple-scalable',
    sites: [
      portal('api.am.wso2.com', ['aio1', 'aio2'], 'sticky'),
      gateway(['gw1', 'gw2']),
      portal('gwm.am.wso2.com', ['gw1', 'gw2'], 'failover'),
      gatewayServices(['gw1', 'gw2'], 'failover'),
    ],
    gatewayNodes: ['gw1', 'gw2'],
    gatewayHttp: 'proxy',
    websub: true,
  },
];

/** Requests per balancing check, each on a fresh connection. */
const SAMPLES = 12;

let lab: Lab;
beforeAll(async () => {
  lab = await getLab();
});

function offsetOf(node: string): number {
  const standin = lab.standins.find((s) => s.name === node);
  if (!standin) throw new Error(`the lab has no stand-in ${node}`);
  return standin.offset;
}

function expectSuccess(run: CliRun): void {
  expect(run.exitCode, run.all).toBe(0);
}

async function nginxTest(lb: LbName): Promise<void> {
  const result = await lab.exec(lb, 'nginx -t', { root: true });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/test is successful/);
}

describe.each<LbName>(['lb-bookworm', 'lb-sid'])('every WSO2 pattern through %s', (lb) => {
  const lbAddress = (): string => lab.machines[lb]!.ip;
  const inventories = new Map<LabPattern, string>();
  let ca = '';
  let conf = '';

  beforeAll(async () => {
    // A clean host: the first apply below installs nginx from scratch.
    await resetLoadBalancer(lab, lb);
    const caFile = await standinCaBundle(lab);
    for (const { pattern, websub } of PATTERNS) {
      inventories.set(
        pattern,
        lab.inventoryFor(pattern, {
          loadBalancers: [lb],
          vars: {
            apim_websocket: true,
            apim_passthrough: true,
            ...(websub ? { apim_websub: true } : {}),
            apim_upstream_tls_verify: true,
            apim_upstream_ca_file: caFile,
            // A stopped primary is counted out this long: short, so fail-over checks do not wait.
            apim_upstream_fail_timeout: '5s',
          },
          fileName: `e2e-${pattern}-${lb}.yml`,
        }),
      );
    }
  });

  describe.each(PATTERNS)('pattern $pattern', (pc) => {
    const ask = (site: SiteCase, cookie?: string) =>
      askNode({
        address: lbAddress(),
        hostname: site.hostname,
        path: site.path,
        ca,
        ...(cookie ? { cookie } : {}),
      });

    it('applies (exit 0), nginx -t passes on the host, and a second apply changes nothing', async () => {
      const inventory = inventories.get(pc.pattern)!;
      const first = await applyLab(inventory, lab.knownHostsFile);
      expectSuccess(first);
      // nginx >= 1.29.6 has `sticky`: no ip_hash fallback may be announced, not even before install.
      if (lb === 'lb-sid') expect(first.all).not.toMatch(/ip_hash/);
      await nginxTest(lb);
      const second = await applyLab(inventory, lab.knownHostsFile);
      expectSuccess(second);
      expect(recapChanged(second.all, lb), second.all).toBe(0);

      ca = readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.crt'), 'utf8');
      conf = await labRun(lab, lb, 'cat /etc/nginx/conf.d/apim.conf', true);
      // The nginx version decides the syntax and how sessions stick.
      if (lb === 'lb-bookworm') {
        expect(conf).toMatch(/listen 443 ssl http2;/);
        expect(conf).not.toMatch(/http2 on;/);
      } else {
        expect(conf).toMatch(/http2 on;/);
        expect(conf).not.toMatch(/listen 443 ssl http2;/);
      }
      const sticky = pc.sites.some((s) => s.balancing === 'sticky');
      expect(conf.includes('ip_hash;')).toBe(sticky && lb === 'lb-bookworm');
      expect(conf.includes('sticky learn')).toBe(sticky && lb === 'lb-sid');
      expect(conf).toContain('proxy_ssl_verify on;');
    });

    it('sends each hostname to its own nodes, with the forwarding headers, over a verified certificate', async () => {
      for (const site of pc.sites) {
        const reply = await ask(site);
        expect(reply.status).toBe(200);
        const { answer } = reply;
        expect(site.nodes, `${site.hostname} reached ${answer.node}`).toContain(answer.node);
        expect(answer.port).toBe(site.wso2Port + offsetOf(answer.node));
        expect(answer.path).toBe(site.path);
        expect(forwardedHeader(answer, 'Host')).toBe(site.hostname);
        expect(forwardedHeader(answer, 'X-Forwarded-Proto')).toBe('https');
        expect(forwardedHeader(answer, 'X-Forwarded-Port')).toBe('443');
        expect(forwardedHeader(answer, 'X-Forwarded-Host')).toBe(site.hostname);

        // The certificate served for this name chains to the local CA and covers the name.
        const tls = await handshake({
          address: lbAddress(),
          servername: site.hostname,
          version: 'TLSv1.3',
          ca,
        });
        expect(tls.ok, tls.errorMessage).toBe(true);
        expect(tls.authorized).toBe(true);
        expect(checkServerIdentity(site.hostname, tls.certificate!)).toBeUndefined();
      }
    });

    if (pc.gatewayHttp)
      it(`answers port 80 of the gateway name as the version's pages say (${pc.gatewayHttp})`, async () => {
        const body = Buffer.from('{"order": 42}');
        const post = await send(lbAddress(), 80, 'gw.am.wso2.com', '/api/v1/orders', {
          method: 'POST',
          body,
        });
        const get = await plainGet(lbAddress(), 80, 'gw.am.wso2.com', '/api/v1/orders');
        // Never a redirect: a 301 would turn the POST into a GET.
        expect(post.location).toBeUndefined();
        if (pc.gatewayHttp === 'refuse') {
          expect([post.status, get.status]).toEqual([403, 403]);
          return;
        }
        const answer = answerOf(post, 'http://gw.am.wso2.com/api/v1/orders');
        expect(post.status).toBe(200);
        expect(pc.gatewayNodes).toContain(answer.node);
        expect(answer.port).toBe(8280 + offsetOf(answer.node));
        expect([answer.method, answer.body_bytes]).toEqual(['POST', body.length]);
        expect(get.status).toBe(200);
      });

    it('redirects port 80 of every portal hostname to https, keeping host and path', async () => {
      const portals = pc.sites.filter((s) => s.hostname !== 'gw.am.wso2.com');
      for (const site of portals) {
        const reply = await plainGet(lbAddress(), 80, site.hostname, '/publisher/apis?page=2');
        expect(reply.status).toBe(301);
        expect(reply.location).toBe(`https://${site.hostname}/publisher/apis?page=2`);
      }
    });

    it('refuses TLS 1.0 and 1.1 (the server says protocol version) and speaks TLS 1.2 and 1.3', async () => {
      const servername = pc.sites[0]!.hostname;
      for (const version of ['TLSv1', 'TLSv1.1'] as const) {
        const refused = await handshake({ address: lbAddress(), servername, version });
        expect(refused.ok).toBe(false);
        // Alert 70 (protocol_version) received from the server: the refusal is nginx's.
        expect(refused.errorCode).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
      }
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const ok = await handshake({ address: lbAddress(), servername, version, ca });
        expect(ok.ok, ok.errorMessage).toBe(true);
        expect(ok.protocol).toBe(version);
      }
    });

    it('balances each hostname as the pattern needs', async () => {
      for (const site of pc.sites) {
        if (site.balancing === 'single') {
          expect(new Set(await nodesAnswering(4, () => ask(site)))).toEqual(new Set(site.nodes));
        } else if (site.balancing === 'spread') {
          const seen = new Set(await nodesAnswering(SAMPLES, () => ask(site)));
          expect(seen, `${site.hostname} over ${SAMPLES} requests`).toEqual(new Set(site.nodes));
        } else if (site.balancing === 'failover') {
          await expectFailover(site);
        } else if (lb === 'lb-sid') {
          await expectStickyCookie(site);
        } else {
          // ip_hash: one client address, one node.
          const seen = new Set(await nodesAnswering(SAMPLES, () => ask(site)));
          expect(seen.size, `${site.hostname}: ${[...seen].join(', ')}`).toBe(1);
          expect(site.nodes).toContain([...seen][0]);
        }
      }
    });

    async function expectStickyCookie(site: SiteCase): Promise<void> {
      const first = await ask(site);
      const cookie = sessionCookie(first.headers);
      expect(cookie, `${site.hostname} set no JSESSIONID`).toBeDefined();
      const again = await nodesAnswering(SAMPLES, () => ask(site, cookie));
      expect(new Set(again)).toEqual(new Set([first.answer.node]));
      // Requests without a session are not pinned.
      const fresh = new Set(await nodesAnswering(SAMPLES, () => ask(site)));
      expect(fresh).toEqual(new Set(site.nodes));
    }

    async function expectFailover(site: SiteCase): Promise<void> {
      const [primary, backup] = site.nodes as [string, string];
      expect(new Set(await nodesAnswering(6, () => ask(site)))).toEqual(new Set([primary]));
      await lab.stopStandin(primary);
      try {
        expect(new Set(await nodesAnswering(4, () => ask(site)))).toEqual(new Set([backup]));
      } finally {
        await lab.startStandin(primary);
      }
      // The failures counted the primary out for fail_timeout (5 s here); then it serves again.
      const deadline = Date.now() + 30_000;
      let node = (await ask(site)).answer.node;
      while (node !== primary && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        node = (await ask(site)).answer.node;
      }
      expect(node, `${site.hostname}${site.path}: the primary did not come back`).toBe(primary);
    }

    // Only layouts with a gateway hostname get these listeners.
    if (pc.gatewayNodes.length > 0)
      it('passes WebSocket (ws 9099, wss 8099), pass-through (8243, 8280) and WebSub (9021, 8021) traffic to the gateway nodes', async () => {
        const address = lbAddress();
        const hostname = 'gw.am.wso2.com';
        for (const [port, tls] of [
          [9099, false],
          [8099, true],
        ] as const) {
          const ws = await webSocketExchange(address, port, tls, `hello ${port}`, hostname);
          expect(ws.statusLine).toMatch(/^HTTP\/1\.1 101/);
          expect(ws.accept).toBe(ws.expectedAccept);
          const [node, echo] = ws.echo.split(': ');
          expect(pc.gatewayNodes).toContain(node);
          expect(echo).toBe(`hello ${port}`);
        }

        const https = await askNode({ address, hostname, ca, port: 8243 });
        expect(pc.gatewayNodes).toContain(https.answer.node);
        expect(https.answer.port).toBe(8243 + offsetOf(https.answer.node));
        expect(forwardedHeader(https.answer, 'X-Forwarded-Port')).toBe('8243');

        const http = await plainGet(address, 8280, hostname, '/api/v1');
        expect(http.status).toBe(200);
        const answer = JSON.parse(http.body) as { node: string; port: number };
        expect(pc.gatewayNodes).toContain(answer.node);
        expect(answer.port).toBe(8280 + offsetOf(answer.node));

        if (!pc.websub) return;
        const websubHttps = await askNode({ address, hostname, ca, port: 8021, path: '/hub' });
        expect(pc.gatewayNodes).toContain(websubHttps.answer.node);
        expect(websubHttps.answer.port).toBe(8021 + offsetOf(websubHttps.answer.node));
        const websubHttp = answerOf(await plainGet(address, 9021, hostname, '/hub'), `${hostname}:9021`);
        expect(websubHttp.port).toBe(9021 + offsetOf(websubHttp.node));
      });
  });

  it('--check --diff after a manual edit shows the diff, exits 6 and leaves the host file alone', async () => {
    const inventory = inventories.get('4x-distributed')!;
    const file = '/etc/nginx/conf.d/apim.conf';
    await labRun(lab, lb, `sed -i 's/proxy_read_timeout 5m;/proxy_read_timeout 9m;/' ${file}`, true);
    const before = await labRun(lab, lb, `sha256sum ${file}`, true);

    const check = await applyLab(inventory, lab.knownHostsFile, ['--check', '--diff', '--detailed-exitcode']);
    expect(check.exitCode, check.all).toBe(6);
    expect(check.stdout).toContain(`--- before: ${file}`);
    expect(check.stdout).toContain(`+++ after: ${file}`);
    expect(check.stdout).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/m);
    expect(check.stdout).toMatch(/^- +proxy_read_timeout 9m;$/m);
    expect(check.stdout).toMatch(/^\+ +proxy_read_timeout 5m;$/m);
    expect(await labRun(lab, lb, `sha256sum ${file}`, true)).toBe(before);

    // A real apply puts the managed file back.
    const fix = await applyLab(inventory, lab.knownHostsFile);
    expectSuccess(fix);
    expect(await labRun(lab, lb, `grep -c 'proxy_read_timeout 9m;' ${file} || true`, true)).toBe('0\n');
  });
});

/** The stand-in control script on the apim machines (vagrant/standin/standin-ctl). */
const STANDIN_CTL = '/opt/apim-lab/standin/standin-ctl';

/** A TCP forwarder to a lab machine's SSH port that counts connections: proof of contact or none. */
async function countingForwarder(
  targetPort: number,
): Promise<{ port: number; connections(): number; close(): void }> {
  let count = 0;
  const server = createServer((client) => {
    count++;
    const upstream = connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return { port: address.port, connections: () => count, close: () => server.close() };
}

/** Whether anything accepts a TCP connection at address:port. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 5000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe.each<LbName>(['lb-bookworm', 'lb-sid'])('production settings through %s', (lb) => {
  const lbAddress = (): string => lab.machines[lb]!.ip;
  const PORTAL = 'api.am.wso2.com';
  const GATEWAY = 'gw.am.wso2.com';
  let inventory = '';
  let ca = '';
  let vars: Record<string, unknown> = {};
  const twoMegabytes = randomBytes(2 * 1024 * 1024);
  const sha256 = createHash('sha256').update(twoMegabytes).digest('hex');

  const standin = (name: string, cert: 'node' | 'rogue' | 'wrongname') => {
    const s = lab.standins.find((x) => x.name === name)!;
    return labRun(
      lab,
      s.machine,
      `${STANDIN_CTL} start ${name} ${s.offset} ${s.role} ${s.version} ${cert}`,
      true,
    );
  };

  beforeAll(async () => {
    vars = {
      apim_upstream_tls_verify: true,
      apim_upstream_ca_file: await standinCaBundle(lab),
      // A documentation network: the test process is outside, the API-M nodes are let in by address.
      apim_admin_allow: ['203.0.113.0/24'],
      apim_status_port: 8081,
      apim_proxy_context_path: '/apim',
      // Every request tries every node: the refusal test sees each certificate checked, not a
      // node still counted out by an earlier failure.
      apim_upstream_max_fails: 0,
    };
    inventory = lab.inventoryFor('active-active', {
      loadBalancers: [lb],
      vars,
      fileName: `e2e-production-${lb}.yml`,
    });
    const run = await applyLab(inventory, lab.knownHostsFile);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).not.toMatch(/not verified/);
    ca = readFileSync(join(dirname(inventory), '.apim-provision', 'pki', 'ca.crt'), 'utf8');
  });
  afterAll(async () => {
    // The Debian default site is gone and default_server claimed: leave a clean host behind.
    await resetLoadBalancer(lab, lb);
  });

  it('takes a 2 MB POST to the gateway and to the portal whole (nginx alone would answer 413)', async () => {
    for (const hostname of [GATEWAY, PORTAL]) {
      const reply = await send(lbAddress(), 443, hostname, '/upload', {
        method: 'POST',
        body: twoMegabytes,
        ca,
      });
      expect(reply.status, `${hostname}: ${reply.body.slice(0, 200)}`).toBe(200);
      const answer = answerOf(reply, hostname);
      expect([answer.body_bytes, answer.body_sha256]).toEqual([twoMegabytes.length, sha256]);
      // HSTS on the browser-facing name only.
      expect(reply.headers['strict-transport-security'] !== undefined).toBe(hostname === PORTAL);
    }
  });

  it('answers 403 on the admin paths from outside the allow-list and 200 from inside (an API-M node)', async () => {
    const outside = (path: string) => send(lbAddress(), 443, PORTAL, path, { ca });
    for (const path of [
      '/carbon/admin/login.jsp',
      '/services/Version',
      '/admin/',
      '/Carbon/',
      '/carbon;jsessionid=1/',
      '/apim/carbon/',
      '/publisher/..;/carbon/',
    ])
      expect((await outside(path)).status, path).toBe(403);
    expect(answerOf(await outside('/publisher/apis'), 'publisher').path).toBe('/publisher/apis');
    // API contexts on the gateway name are never restricted.
    expect((await send(lbAddress(), 443, GATEWAY, '/admin/v1', { ca })).status).toBe(200);
    // apim1 runs aio1: it is an API-M node, so its own calls through the load balancer pass.
    const inside = await curlFrom(lab, 'apim1', [
      '-k',
      '--resolve',
      `${PORTAL}:443:${lbAddress()}`,
      `https://${PORTAL}/carbon/admin/login.jsp`,
    ]);
    expect(inside.status).toBe(200);
    expect((JSON.parse(inside.body) as StandinAnswer).path).toBe('/carbon/admin/login.jsp');
  });

  it('serves the nodes under the custom context path, rewriting their redirects as the docs do', async () => {
    const under = await send(lbAddress(), 443, PORTAL, '/apim/devportal/apis?x=1', { ca });
    expect(answerOf(under, 'context path').path).toBe('/devportal/apis?x=1');
    const slash = await send(lbAddress(), 443, PORTAL, '/apim/devportal', { ca });
    expect([slash.status, slash.location]).toEqual([301, `https://${PORTAL}/apim/devportal/`]);
    // Nodes that know their public name (as node configuration sets it) send /oauth2/authorize to
    // https://<that name>/authenticationendpoint/login.do; the docs' proxy_redirect adds /apim.
    const nodes = await Promise.all(['aio1', 'aio2'].map((name) => standinNode(lab, name)));
    const restores = await Promise.all(nodes.map((n) => configureStandin(n, PORTAL, 443)));
    try {
      const login = await send(lbAddress(), 443, PORTAL, '/apim/oauth2/authorize?client_id=x', { ca });
      expect(login.status).toBe(302);
      expect(login.location).toMatch(
        new RegExp(
          `^https://${PORTAL.replaceAll('.', '\\.')}/apim/authenticationendpoint/login\\.do\\?sessionDataKey=standin&node=aio[12]$`,
        ),
      );
    } finally {
      for (const restore of restores) await restore();
    }
  });

  it('serves a status endpoint on the load balancer’s loopback only', async () => {
    expect(await labRun(lab, lb, 'curl -sS http://127.0.0.1:8081/nginx_status')).toMatch(
      /^Active connections: \d+/,
    );
    expect(await accepts(lbAddress(), 8081)).toBe(false);
  });

  it('refuses a node presenting an unexpected certificate (502) while a correct one serves', async () => {
    const errorLog = '/etc/nginx/log/am/https/error.log';
    try {
      await standin('aio2', 'rogue');
      // nginx drops the rogue node's handshake and retries on aio1: clients see no error.
      expect(
        new Set(await nodesAnswering(6, () => askNode({ address: lbAddress(), hostname: PORTAL, ca }))),
      ).toEqual(new Set(['aio1']));
      await lab.stopStandin('aio1');
      expect((await send(lbAddress(), 443, PORTAL, '/e2e', { ca })).status).toBe(502);
      expect(await labRun(lab, lb, `cat ${errorLog}`, true)).toMatch(/upstream SSL certificate verify error/);
      // Signed by the trusted CA, but for another name: refused as well.
      await standin('aio2', 'wrongname');
      expect((await send(lbAddress(), 443, PORTAL, '/e2e', { ca })).status).toBe(502);
      expect(await labRun(lab, lb, `cat ${errorLog}`, true)).toMatch(
        /upstream SSL certificate does not match "api\.am\.wso2\.com"/,
      );
    } finally {
      await standin('aio2', 'node');
      await lab.startStandin('aio1');
    }
    expect(
      new Set(await nodesAnswering(8, () => askNode({ address: lbAddress(), hostname: PORTAL, ca }))),
    ).not.toEqual(new Set());
  });

  it('claims the default server on :80 only when no other file does, and limits bodies per hostname', async () => {
    const strict = lab.inventoryFor('active-active', {
      loadBalancers: [lb],
      vars: { ...vars, apim_default_server: true, apim_client_max_body_size: { gw: '1m' } },
      fileName: `e2e-production-strict-${lb}.yml`,
    });
    const live = await labRun(lab, lb, 'sha256sum /etc/nginx/conf.d/apim.conf', true);
    // Debian's stock site claims default_server: nginx -t refuses the candidate, nothing changes.
    const refused = await applyLab(strict, lab.knownHostsFile);
    expect(refused.exitCode, refused.all).toBe(2);
    expect(refused.all).toMatch(/duplicate default server/);
    expect(await labRun(lab, lb, 'sha256sum /etc/nginx/conf.d/apim.conf', true)).toBe(live);

    await labRun(lab, lb, 'rm /etc/nginx/sites-enabled/default', true);
    const run = await applyLab(strict, lab.knownHostsFile);
    expect(run.exitCode, run.all).toBe(0);
    for (const host of ['unknown.example.com', lbAddress()]) {
      const reply = await plainGet(lbAddress(), 80, host, '/');
      expect([reply.status, reply.location], host).toEqual([421, undefined]);
    }
    const tooLarge = await send(lbAddress(), 443, GATEWAY, '/upload', {
      method: 'POST',
      body: twoMegabytes,
      ca,
    });
    expect(tooLarge.status).toBe(413);
    const portal = await send(lbAddress(), 443, PORTAL, '/upload', {
      method: 'POST',
      body: twoMegabytes,
      ca,
    });
    expect(answerOf(portal, PORTAL).body_bytes).toBe(twoMegabytes.length);
  });

  it('removes the trusted CA file with verification turned off, and says so first', async () => {
    const ca = '/etc/nginx/ssl/apim-upstream-ca.crt';
    expect((await lab.exec(lb, `test -f ${ca}`, { root: true })).code).toBe(0);
    const off = lab.inventoryFor('active-active', {
      loadBalancers: [lb],
      vars: { ...vars, apim_upstream_tls_verify: false, apim_upstream_ca_file: undefined },
      fileName: `e2e-production-unverified-${lb}.yml`,
    });
    const check = await applyLab(off, lab.knownHostsFile, ['--check', '--diff']);
    expect(check.exitCode, check.all).toBe(0);
    expect(check.all).toContain(ca);
    const run = await applyLab(off, lab.knownHostsFile);
    expect(run.exitCode, run.all).toBe(0);
    expect((await lab.exec(lb, `test -e ${ca}`, { root: true })).code).toBe(1);
    expect(await labRun(lab, lb, 'cat /etc/nginx/conf.d/apim.conf', true)).not.toContain('proxy_ssl_verify');
  });

  it('refuses a hostname shared by two components before contacting the load balancer', async () => {
    const forwarder = await countingForwarder(lab.machines[lb]!.sshPort);
    try {
      const endpoint = { ansible_host: '127.0.0.1', ansible_port: forwarder.port };
      const shared = lab.inventoryFor('active-active', {
        loadBalancers: [lb],
        vars: { ...vars, apim_hostnames: { api: 'am.example.com', gw: 'am.example.com' } },
        hostVars: { [lb]: endpoint },
        fileName: `e2e-shared-name-${lb}.yml`,
      });
      const run = await applyLab(shared, lab.knownHostsFile);
      expect(run.exitCode, run.all).toBe(4);
      expect(run.all).toMatch(
        /apim_hostnames\.gw and apim_hostnames\.api \(\S+:\d+\) are both am\.example\.com/,
      );
      expect(forwarder.connections()).toBe(0);
      // The same inventory with distinct names does reach the host through the forwarder.
      const distinct = lab.inventoryFor('active-active', {
        loadBalancers: [lb],
        vars,
        hostVars: { [lb]: endpoint },
        fileName: `e2e-distinct-names-${lb}.yml`,
      });
      await applyLab(distinct, lab.knownHostsFile, ['--check']);
      expect(forwarder.connections()).toBeGreaterThan(0);
    } finally {
      forwarder.close();
    }
  });
});
