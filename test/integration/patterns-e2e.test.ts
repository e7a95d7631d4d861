/**
 * End to end, for every WSO2 pattern the lab lays out: the real CLI provisions a lab load balancer,
 * then real HTTPS traffic from this process goes through it to the STAND-IN API-M nodes
 * (vagrant/standin/apim_standin.py, not WSO2 API-M), whose JSON answers name the node reached and
 * the headers that arrived. Both load balancers get every pattern: lb-bookworm (nginx 1.22, Debian:
 * `listen ... http2`, ip_hash as the Community sticky fallback) and lb-sid (nginx >= 1.29.6:
 * `http2 on`, open-source `sticky learn` on JSESSIONID).
 *
 * For speed, the patterns are applied one after another on the same load balancer: nginx is
 * installed once (after a reset to a clean host) and each apply replaces the previous pattern.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lab, LabPattern } from '../../src/lab/index.js';
import { applyLab, type CliRun } from './support/cli.js';
import { getLab, labRun, webSocketExchange } from './support/lab.js';
import { resetLoadBalancer } from './support/lb-reset.js';
import {
  askNode,
  forwardedHeader,
  handshake,
  nodesAnswering,
  plainGet,
  recapChanged,
  sessionCookie,
} from './support/lb-traffic.js';

type LbName = 'lb-bookworm' | 'lb-sid';

/** How the load balancer should spread a hostname's requests over its nodes. */
type Balancing = 'single' | 'spread' | 'sticky' | 'failover';

interface SiteCase {
  hostname: string;
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
}

const portal = (hostname: string, nodes: string[], balancing: Balancing): SiteCase => ({
  hostname,
  nodes,
  wso2Port: 9443,
  balancing,
});
const gateway = (nodes: string[]): SiteCase => ({
  hostname: 'gw.am.wso2.com',
  nodes,
  wso2Port: 8243,
  balancing: nodes.length > 1 ? 'spread' : 'single',
});

/** Written from the WSO2 pages (and their corrections), not from the tool's layout table. */
const PATTERNS: PatternCase[] = [
  {
    pattern: 'single-node',
    sites: [portal('api.am.wso2.com', ['aio1'], 'single'), gateway(['aio1'])],
    gatewayNodes: ['aio1'],
  },
  {
    pattern: 'active-active',
    sites: [portal('api.am.wso2.com', ['aio1', 'aio2'], 'sticky'), gateway(['aio1', 'aio2'])],
    gatewayNodes: ['aio1', 'aio2'],
  },
  {
    pattern: 'ha-gateway',
    sites: [portal('mgtgw.am.wso2.com', ['gwm1'], 'single'), gateway(['gw1', 'gw2'])],
    gatewayNodes: ['gw1', 'gw2'],
  },
  {
    pattern: 'ha-gateway-multi',
    sites: [portal('mgtgw.am.wso2.com', ['gwm1', 'gwm2'], 'sticky'), gateway(['gw1', 'gw2'])],
    gatewayNodes: ['gw1', 'gw2'],
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
    pattern: '4x-distributed',
    sites: [
      gateway(['gw1', 'gw2']),
      portal('gwm.am.wso2.com', ['gw1', 'gw2'], 'failover'),
      portal('cp.am.wso2.com', ['cp1', 'cp2'], 'sticky'),
      portal('tm.am.wso2.com', ['tm1', 'tm2'], 'failover'),
    ],
    gatewayNodes: ['gw1', 'gw2'],
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
    for (const { pattern } of PATTERNS) {
      inventories.set(
        pattern,
        lab.inventoryFor(pattern, {
          loadBalancers: [lb],
          vars: { apim_websocket: true, apim_passthrough: true },
          fileName: `e2e-${pattern}-${lb}.yml`,
        }),
      );
    }
  });

  describe.each(PATTERNS)('pattern $pattern', (pc) => {
    const ask = (site: SiteCase, cookie?: string) =>
      askNode({ address: lbAddress(), hostname: site.hostname, ca, ...(cookie ? { cookie } : {}) });

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
    });

    it('sends each hostname to its own nodes, with the forwarding headers, over a verified certificate', async () => {
      for (const site of pc.sites) {
        const reply = await ask(site);
        expect(reply.status).toBe(200);
        const { answer } = reply;
        expect(site.nodes, `${site.hostname} reached ${answer.node}`).toContain(answer.node);
        expect(answer.port).toBe(site.wso2Port + offsetOf(answer.node));
        expect(answer.path).toBe('/e2e');
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
    }

    // Only layouts with a gateway hostname get these listeners.
    if (pc.gatewayNodes.length > 0)
      it('passes WebSocket (ws 9099, wss 8099) and pass-through (8243, 8280) traffic to the gateway nodes', async () => {
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
