/**
 * The node play of playbooks/site.yml end to end (issue 11) on the lab's STAND-IN API-M nodes,
 * which read their configuration at start and build redirects from hostname/proxyPort as Carbon
 * does: a 4.x all-in-one (naio1) and a 3.x distributed publisher pair (npub1, npub2), each behind
 * lb-bookworm, every node started from a fresh stock home.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lab, LabPattern } from '../../src/lab/index.js';
import { EXIT } from '../../src/report/index.js';
import { runCli, type CliRun } from './support/cli.js';
import { getLab } from './support/lab.js';
import { q, readHome, root, standinNode, writeHome, type StandinNode } from './support/standin-homes.js';

const LB = 'lb-bookworm';
const TOML = 'repository/conf/deployment.toml';
const TRUSTSTORE = 'repository/resources/security/client-truststore.jks';
const LIFECYCLE = 'repository/logs/standin-lifecycle.log';
const CTL = '/opt/apim-lab/standin/standin-ctl';

let lab: Lab;

/** Back to the stock home and no tool state: the node as a fresh install has it. */
async function freshNode(name: string): Promise<StandinNode> {
  const s = lab.standins.find((x) => x.name === name)!;
  await root(
    lab,
    s.machine,
    [
      `${CTL} stop ${name}`,
      `rm -rf /opt/wso2/${name} /var/lib/apim-provision/nodes/${name}`,
      `${CTL} start ${name} ${s.offset} ${s.role} ${s.version} >/dev/null`,
    ].join(' && '),
  );
  return standinNode(lab, name);
}

function inventory(pattern: LabPattern): string {
  return lab.inventoryFor(pattern, {
    loadBalancers: [LB],
    nodeConnections: true,
    vars: { apim_upstream_tls_verify: false },
    fileName: `nodes-play-${pattern}.yml`,
  });
}

const apply = (inv: string, ...args: string[]): Promise<CliRun> =>
  runCli(['apply', inv, '--known-hosts', lab.knownHostsFile, ...args]);

/** The recap's `changed=` of a host. */
function changed(run: CliRun, host: string): number {
  const m = new RegExp(`^${host}\\s*:.*\\bchanged=(\\d+)`, 'm').exec(run.stdout);
  if (!m) throw new Error(`no recap line for ${host}:\n${run.all}`);
  return Number(m[1]);
}

const sha = async (n: StandinNode, file: string): Promise<string> =>
  (await root(lab, n.machine, `sha256sum ${q(`${n.home}/${file}`)}`)).split(' ')[0]!;

/** The running node's pid and user (the stand-in's pid file, as Carbon keeps wso2carbon.pid). */
async function processOf(n: StandinNode): Promise<{ pid: string; user: string }> {
  const out = await root(lab, n.machine, `ps -o pid=,user:16= -p "$(cat ${q(`${n.home}/wso2carbon.pid`)})"`);
  const [pid = '', user = ''] = out.trim().split(/\s+/);
  return { pid, user };
}

/** Follows redirects from the load balancer itself (names resolved to it): every Location and the end. */
async function followThroughLb(hostname: string, path: string) {
  const out = await root(
    lab,
    LB,
    `curl -sk -L --max-redirs 10 -D - -o /dev/null -w '\\nEND@@ %{http_code} %{url_effective}\\n' --resolve ${hostname}:443:127.0.0.1 ${q(`https://${hostname}${path}`)}`,
  );
  const locations = [...out.matchAll(/^location: (\S+)\r?$/gim)].map((m) => m[1]!);
  const end = /END@@ (\d+) (\S+)/.exec(out);
  return { locations, status: Number(end?.[1]), url: end?.[2] ?? '' };
}

/** Every redirect (and the page it ends on) of each path, followed through the LB, stays on https://<hostname>/. */
async function expectPublicRedirects(hostname: string, paths: string[]): Promise<void> {
  const origin = new RegExp(`^https://${hostname.replaceAll('.', '\\.')}/`);
  for (const path of paths) {
    const r = await followThroughLb(hostname, path);
    expect(r.status, path).toBe(200);
    expect(r.locations.length, path).toBeGreaterThan(0);
    for (const l of [...r.locations, r.url]) {
      expect(l, path).toMatch(origin);
      expect(l, path).not.toMatch(/:9\d\d\d|localhost/);
    }
  }
}

/** One GET through the load balancer (the name resolved to it): the body. */
const getThroughLb = (hostname: string, path: string): Promise<string> =>
  root(lab, LB, `curl -sk --resolve ${hostname}:443:127.0.0.1 ${q(`https://${hostname}${path}`)}`);

/** When each node was stopped and started by its bin script (the stand-in's lifecycle log). */
async function lifecycle(n: StandinNode): Promise<Array<{ event: string; at: number }>> {
  const text = await root(lab, n.machine, `cat ${q(`${n.home}/${LIFECYCLE}`)} 2>/dev/null || :`);
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [event = '', at = '0'] = l.split(' ');
      return { event, at: Number(at) };
    });
}

/** The pair was restarted one node at a time: the second went down only after the first was up again. */
async function expectRolled(pair: StandinNode[]): Promise<void> {
  const windows = await Promise.all(
    pair.map(async (n) => {
      const events = await lifecycle(n);
      const stop = events.filter((e) => e.event === 'stop').at(-1)!;
      const start = events.filter((e) => e.event === 'start').at(-1)!;
      expect(start.at, n.name).toBeGreaterThan(stop.at);
      return { stop: stop.at, start: start.at };
    }),
  );
  const [first, second] = windows.sort((a, b) => a.stop - b.stop);
  expect(second!.stop).toBeGreaterThan(first!.start);
}

beforeAll(async () => {
  lab = await getLab();
});

describe('node play, 4.x all-in-one (single-node)', () => {
  let node: StandinNode;
  let inv: string;
  beforeAll(async () => {
    node = await freshNode('naio1');
    inv = inventory('nodes-4x-single-node');
  });

  it('--check --diff shows the deployment.toml diff and the truststore import, and changes nothing', async () => {
    const before = {
      toml: await sha(node, TOML),
      store: await sha(node, TRUSTSTORE),
      proc: await processOf(node),
    };
    const run = await apply(inv, '--check', '--diff');
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(run.stdout).toContain(`--- before: ${node.home}/${TOML}`);
    expect(run.stdout).toContain('-hostname = "localhost"');
    expect(run.stdout).toContain('+hostname = "api.am.wso2.com"');
    expect(run.stdout).toMatch(/\+\[transport\.https\.properties\]\n\+proxyPort = 443/);
    expect(run.stdout).toContain('+https_endpoint = "https://gw.am.wso2.com"');
    expect(run.stdout).toContain('import alias apim-provision-lb-ca (keytool)');
    expect(run.stdout).toMatch(/naio1\] restart API-M/);
    expect(await sha(node, TOML)).toBe(before.toml);
    expect(await sha(node, TRUSTSTORE)).toBe(before.store);
    expect(await processOf(node)).toEqual(before.proc);
  });

  it('apply sets the public hostname and proxy ports, imports the LB CA, restarts as wso2carbon', async () => {
    const before = await processOf(node);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'naio1')).toBe(3);
    expect(run.stdout).toContain('files live; API-M restarted and answering');
    const toml = await readHome(node, TOML);
    expect(toml).toMatch(/^\[server\]\nhostname = "api\.am\.wso2\.com"\noffset = 90\n/);
    expect(toml).toMatch(/\[transport\.https\.properties\]\nproxyPort = 443\n/);
    expect(toml).toMatch(/\[transport\.http\.properties\]\nproxyPort = 80\n/);
    expect(toml).toContain('url = "https://api.am.wso2.com/devportal"');
    // Unrelated lines and comments kept byte for byte.
    expect(toml).toContain('#discard_empty_caches = false');
    const meta = await root(
      lab,
      node.machine,
      `cd ${q(node.home)} && stat -c '%U:%G %a' ${TOML} ${TRUSTSTORE}`,
    );
    expect(meta.trim().split('\n')).toEqual([
      'wso2carbon:wso2carbon 640',
      expect.stringMatching(/^wso2carbon:wso2carbon /),
    ]);
    // The inventory's local CA (it signed the load balancer's certificate), by its fingerprint.
    const ca = new X509Certificate(readFileSync(join(dirname(inv), '.apim-provision', 'pki', 'ca.crt')));
    const listed = await root(
      lab,
      node.machine,
      `keytool -list -storetype JKS -keystore ${q(`${node.home}/${TRUSTSTORE}`)} -storepass wso2carbon -alias apim-provision-lb-ca`,
    );
    expect(listed).toContain('trustedCertEntry');
    expect(listed).toContain(`(SHA-256): ${ca.fingerprint256}`);
    // The node's own entry stays.
    expect(
      await root(
        lab,
        node.machine,
        `keytool -list -storetype JKS -keystore ${q(`${node.home}/${TRUSTSTORE}`)} -storepass wso2carbon -alias wso2carbon`,
      ),
    ).toContain('trustedCertEntry');
    const after = await processOf(node);
    expect(after.pid).not.toBe(before.pid);
    expect(after.user).toBe('wso2carbon');
  });

  it('requests through the load balancer that follow redirects stay on the public hostname on 443', async () => {
    await expectPublicRedirects('api.am.wso2.com', ['/publisher', '/devportal', '/carbon']);
    expect(await getThroughLb('api.am.wso2.com', '/api/am/devportal/v3/apis')).toContain(
      '"https": "https://gw.am.wso2.com"',
    );
  });

  it('a second apply changes and restarts nothing', async () => {
    const before = await processOf(node);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'naio1')).toBe(0);
    expect(changed(run, LB)).toBe(0);
    expect(await processOf(node)).toEqual(before);
  });
});

describe('node play, 3.x distributed publisher pair', () => {
  let pub1: StandinNode;
  let pub2: StandinNode;
  let inv: string;
  beforeAll(async () => {
    [pub1, pub2] = await Promise.all([freshNode('npub1'), freshNode('npub2')]);
    inv = inventory('nodes-3x-ha-publisher');
  });

  it('restarts the pair one node at a time (never both down), each healthy, on the publisher name', async () => {
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'npub1')).toBe(3);
    expect(changed(run, 'npub2')).toBe(3);
    for (const n of [pub1, pub2]) {
      expect(await readHome(n, TOML)).toMatch(/^\[server\]\nhostname = "publisher\.am\.wso2\.com"\n/m);
    }
    await expectRolled([pub1, pub2]);
    const r = await followThroughLb('publisher.am.wso2.com', '/publisher');
    expect(r.status).toBe(200);
    for (const l of [...r.locations, r.url]) expect(l).toMatch(/^https:\/\/publisher\.am\.wso2\.com\//);
  });

  it('restarts only the node whose file changed', async () => {
    const text = await readHome(pub2, TOML);
    await writeHome(pub2, TOML, text.replace('hostname = "publisher.am.wso2.com"', 'hostname = "localhost"'));
    const before = { one: await processOf(pub1), two: await processOf(pub2) };
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'npub1')).toBe(0);
    expect(changed(run, 'npub2')).toBe(2);
    expect(await processOf(pub1)).toEqual(before.one);
    expect((await processOf(pub2)).pid).not.toBe(before.two.pid);
    expect(await readHome(pub2, TOML)).toContain('hostname = "publisher.am.wso2.com"');
  });

  it('a node whose restart fails gets its previous files back, is restarted with them and reported', async () => {
    const text = await readHome(pub1, TOML);
    const handSet = text.replace('hostname = "publisher.am.wso2.com"', 'hostname = "localhost"');
    await writeHome(pub1, TOML, handSet);
    const handSha = await sha(pub1, TOML);
    await root(lab, pub1.machine, `touch ${q(`${pub1.home}/.standin-fail-next-start`)}`);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.HOST_FAILED);
    expect(run.all).toContain('API-M did not come back healthy after the restart');
    expect(run.all).toContain(
      'the previous files were restored and API-M restarted with them: it answers again',
    );
    expect(await sha(pub1, TOML)).toBe(handSha);
    const proc = await processOf(pub1);
    expect(proc.user).toBe('wso2carbon');
    expect(
      (
        await root(
          lab,
          LB,
          `curl -sk -o /dev/null -w '%{http_code}' https://${pub1.ip}:${pub1.port}/services/Version`,
        )
      ).trim(),
    ).toBe('200');
    // The other node of the group was not touched.
    expect(changed(run, 'npub2')).toBe(0);
    // The next run puts the setting back (the fault fired once).
    const again = await apply(inv);
    expect(again.exitCode, again.all).toBe(EXIT.OK);
    expect(changed(again, 'npub1')).toBe(2);
    expect(await readHome(pub1, TOML)).toContain('hostname = "publisher.am.wso2.com"');
  });
});

/** The SHA-256, owner:group and mode of each file, by path. */
async function filesOf(n: StandinNode, files: string[]): Promise<Record<string, string>> {
  const out = await root(
    lab,
    n.machine,
    `cd ${q(n.home)} && stat -c '%n %U:%G %a' ${files.map(q).join(' ')} && sha256sum ${files.map(q).join(' ')}`,
  );
  const lines = out.trim().split('\n');
  return Object.fromEntries(
    files.map((f, i) => [
      f,
      `${lines[i]!.split(' ').slice(1).join(' ')} ${lines[files.length + i]!.split(' ')[0]}`,
    ]),
  );
}

const CARBON_XML = 'repository/conf/carbon.xml';
const CATALINA_XML = 'repository/conf/tomcat/catalina-server.xml';
const API_MANAGER_XML = 'repository/conf/api-manager.xml';
const SITE_JSON = (app: string): string =>
  `repository/deployment/server/jaggeryapps/${app}/site/conf/site.json`;
const FILES_26 = [
  CARBON_XML,
  CATALINA_XML,
  API_MANAGER_XML,
  ...['store', 'publisher', 'admin'].map(SITE_JSON),
];

describe('node play, 2.6 all-in-one (single-node, carbon.xml / catalina-server.xml / site.json)', () => {
  let node: StandinNode;
  let inv: string;
  let stock: Record<string, string>;
  beforeAll(async () => {
    node = await freshNode('nlegacy1');
    inv = inventory('nodes-26-single-node');
    stock = await filesOf(node, [...FILES_26, TRUSTSTORE]);
  });

  it('--check --diff shows the XML and site.json diffs and the truststore import, and changes nothing', async () => {
    const proc = await processOf(node);
    const run = await apply(inv, '--check', '--diff');
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const f of FILES_26) expect(run.stdout).toContain(`--- before: ${node.home}/${f}`);
    expect(run.stdout).toContain(
      '+    <HostName>api.am.wso2.com</HostName>\n+    <MgtHostName>api.am.wso2.com</MgtHostName>',
    );
    expect(run.stdout).toContain(
      '-                   URIEncoding="UTF-8"/>\n+                   URIEncoding="UTF-8"\n+                   proxyPort="443"/>',
    );
    expect(run.stdout).toContain('+                   proxyPort="80"/>');
    expect(run.stdout).toContain('+        "enabled" : true,    // values true , false , "auto"');
    expect(run.stdout).toContain('+        "host" : "api.am.wso2.com", // If reverse proxy');
    expect(run.stdout).toContain('+        "context":"/publisher",');
    expect(run.stdout).toContain(
      '+                <GatewayEndpoint>http://gw.am.wso2.com,https://gw.am.wso2.com</GatewayEndpoint>',
    );
    expect(run.stdout).toContain('import alias apim-provision-lb-ca (keytool)');
    expect(run.stdout).toMatch(/nlegacy1\] restart API-M/);
    expect(run.stdout).toContain(`${node.home}/bin/wso2server.sh stop/start as wso2carbon`);
    expect(await filesOf(node, [...FILES_26, TRUSTSTORE])).toEqual(stock);
    expect(await processOf(node)).toEqual(proc);
  });

  it("apply sets HostName/MgtHostName, the connectors' proxyPort and the portals' reverse proxy, keeping comments, owner and mode; restarts as wso2carbon", async () => {
    const before = await processOf(node);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'nlegacy1')).toBe(3);
    expect(run.stdout).toContain('files live; API-M restarted and answering');
    const carbon = await readHome(node, CARBON_XML);
    expect(carbon).toContain(
      '<Version>2.6.0</Version>\n    <HostName>api.am.wso2.com</HostName>\n    <MgtHostName>api.am.wso2.com</MgtHostName>\n',
    );
    // The stock commented-out examples stay as they were.
    expect(carbon).toContain('<!--HostName>www.wso2.org</HostName-->');
    const catalina = await readHome(node, CATALINA_XML);
    expect(catalina).toMatch(/port="9443"[^>]*proxyPort="443"\/>/);
    expect(catalina).toMatch(/port="9763"[^>]*proxyPort="80"\/>/);
    for (const app of ['store', 'publisher', 'admin']) {
      const site = await readHome(node, SITE_JSON(app));
      expect(site, app).toContain(
        '"enabled" : true,    // values true , false , "auto" - will look for  X-Forwarded-* headers',
      );
      expect(site, app).toContain(
        '"host" : "api.am.wso2.com", // If reverse proxy do not have a domain name use IP',
      );
      expect(site, app).toContain(`"context":"/${app}",`);
      expect(site, app).toContain('//"regContext":""');
    }
    // Owner, group and mode of every file kept; every edited file's content changed.
    const now = await filesOf(node, [...FILES_26, TRUSTSTORE]);
    for (const f of [...FILES_26, TRUSTSTORE]) {
      const [owner, mode, hash] = now[f]!.split(' ');
      const [owner0, mode0, hash0] = stock[f]!.split(' ');
      expect({ f, owner, mode }).toEqual({ f, owner: owner0, mode: mode0 });
      expect(hash, f).not.toBe(hash0);
    }
    const listed = await root(
      lab,
      node.machine,
      `keytool -list -storetype JKS -keystore ${q(`${node.home}/${TRUSTSTORE}`)} -storepass wso2carbon -alias apim-provision-lb-ca`,
    );
    expect(listed).toContain('trustedCertEntry');
    const after = await processOf(node);
    expect(after.pid).not.toBe(before.pid);
    expect(after.user).toBe('wso2carbon');
  });

  it('requests through the load balancer that follow redirects stay on the public hostname on 443', async () => {
    await expectPublicRedirects('api.am.wso2.com', ['/publisher', '/store', '/admin', '/carbon']);
    const apis = await getThroughLb('api.am.wso2.com', '/api/am/devportal/v3/apis');
    expect(apis).toContain('"https": "https://gw.am.wso2.com"');
    expect(apis).toContain('"http": "http://gw.am.wso2.com"');
  });

  it('a second apply changes and restarts nothing', async () => {
    const before = { files: await filesOf(node, [...FILES_26, TRUSTSTORE]), proc: await processOf(node) };
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    expect(changed(run, 'nlegacy1')).toBe(0);
    expect(changed(run, LB)).toBe(0);
    expect({ files: await filesOf(node, [...FILES_26, TRUSTSTORE]), proc: await processOf(node) }).toEqual(
      before,
    );
  });
});

/** A TOML table's body (up to the next table header) in a deployment.toml. */
function tomlTable(text: string, header: string): string {
  const at = `\n${text}`.indexOf(`\n${header}\n`);
  if (at < 0) throw new Error(`no ${header} in:\n${text}`);
  const body = text.slice(at + header.length + 1);
  const end = body.search(/^\[/m);
  return end < 0 ? body : body.slice(0, end);
}

describe('node play, 4.x distributed (gateway, control plane, traffic manager)', () => {
  const names = ['ngw1', 'ncp2', 'ntm1'] as const;
  let nodes: Record<(typeof names)[number], StandinNode>;
  let inv: string;
  beforeAll(async () => {
    const [gw, cp, tm] = await Promise.all(names.map(freshNode));
    nodes = { ngw1: gw!, ncp2: cp!, ntm1: tm! };
    inv = inventory('nodes-4x-distributed');
  });
  const state = () =>
    Promise.all(
      names.map(async (n) => ({ n, toml: await sha(nodes[n], TOML), proc: await processOf(nodes[n]) })),
    );

  it("--check --diff shows each node's deployment.toml diff (service URLs through the LB names) and changes nothing", async () => {
    const before = await state();
    const run = await apply(inv, '--check', '--diff');
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of names) {
      expect(run.stdout).toContain(`--- before: ${nodes[n].home}/${TOML}`);
      expect(run.stdout).toMatch(new RegExp(`${n}\\] restart API-M`));
    }
    expect(run.stdout).toContain('+service_url = "https://gwm.am.wso2.com/services/"');
    expect(run.stdout).toContain('+service_url = "https://cp.am.wso2.com/services/"');
    expect(run.stdout).toContain('+[apim.throttling]\n+service_url = "https://tm.am.wso2.com/services/"');
    expect(await state()).toEqual(before);
  });

  it('apply writes the derived service_url / event hub / gateway environment settings into each node, restarting each as wso2carbon', async () => {
    const before = await state();
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of names) expect(changed(run, n), n).toBe(3);
    const [gw, cp, tm] = await Promise.all(names.map((n) => readHome(nodes[n], TOML)));
    for (const [toml, host] of [
      [gw!, 'gwm.am.wso2.com'],
      [cp!, 'cp.am.wso2.com'],
      [tm!, 'tm.am.wso2.com'],
    ] as const) {
      expect(tomlTable(toml, '[server]'), host).toMatch(
        new RegExp(`^hostname = "${host.replaceAll('.', '\\.')}"\n`),
      );
      expect(tomlTable(toml, '[transport.https.properties]'), host).toBe('proxyPort = 443\n\n');
      expect(tomlTable(toml, '[transport.http.properties]'), host).toMatch(/^proxyPort = 80\n/);
    }
    // Gateway: key manager and event hub on the control plane's name, throttling on the TM's.
    expect(tomlTable(gw!, '[apim.key_manager]')).toMatch(
      /^service_url = "https:\/\/cp\.am\.wso2\.com\/services\/"\n/,
    );
    expect(tomlTable(gw!, '[apim.event_hub]')).toMatch(
      /^service_url = "https:\/\/cp\.am\.wso2\.com\/services\/"\n/,
    );
    expect(tomlTable(gw!, '[apim.throttling]')).toMatch(
      /^service_url = "https:\/\/tm\.am\.wso2\.com\/services\/"\n/,
    );
    // Traffic manager: the event hub on the control plane's name.
    expect(tomlTable(tm!, '[apim.event_hub]')).toMatch(
      /^service_url = "https:\/\/cp\.am\.wso2\.com\/services\/"\n/,
    );
    expect(tm).not.toMatch(/^\[apim\.throttling\]/m);
    // Control plane: the gateway environment on the gateway's public names, deployed through the
    // gateway manager's name; the Dev Portal and revocation notifications on its own.
    const env = tomlTable(cp!, '[[apim.gateway.environment]]');
    for (const line of [
      'service_url = "https://gwm.am.wso2.com/services/"',
      'http_endpoint = "http://gw.am.wso2.com"',
      'https_endpoint = "https://gw.am.wso2.com"',
      'ws_endpoint = "ws://gw.am.wso2.com:9099"',
      'wss_endpoint = "wss://gw.am.wso2.com:8099"',
      'websub_event_receiver_https_endpoint = "https://gw.am.wso2.com:8021"',
    ])
      expect(env).toContain(line);
    expect(env).not.toContain('localhost');
    expect(tomlTable(cp!, '[apim.devportal]')).toMatch(/^url = "https:\/\/cp\.am\.wso2\.com\/devportal"\n/);
    expect(tomlTable(cp!, '[event_listener.properties]')).toContain(
      'notification_endpoint = "https://cp.am.wso2.com/internal/data/v1/notify"',
    );
    expect(cp).not.toMatch(/^\[apim\.throttling\]/m);
    const after = await state();
    for (const [i, n] of names.entries()) {
      expect(after[i]!.proc.pid, n).not.toBe(before[i]!.proc.pid);
      expect(after[i]!.proc.user, n).toBe('wso2carbon');
      expect(
        await root(lab, nodes[n].machine, `stat -c '%U:%G %a' ${q(`${nodes[n].home}/${TOML}`)}`),
        n,
      ).toBe('wso2carbon:wso2carbon 640\n');
    }
  });

  it('requests through the load balancer that follow redirects stay on each public hostname on 443', async () => {
    await expectPublicRedirects('cp.am.wso2.com', ['/publisher', '/devportal', '/admin', '/carbon']);
    await expectPublicRedirects('gwm.am.wso2.com', ['/carbon']);
    await expectPublicRedirects('tm.am.wso2.com', ['/carbon']);
    const apis = await getThroughLb('cp.am.wso2.com', '/api/am/devportal/v3/apis');
    expect(apis).toContain('"https": "https://gw.am.wso2.com"');
    expect(await getThroughLb('cp.am.wso2.com', '/api/am/publisher/v4/settings')).toContain(
      '"devportalUrl": "https://cp.am.wso2.com/devportal"',
    );
  });

  it('a second apply changes and restarts nothing', async () => {
    const before = await state();
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of names) expect(changed(run, n), n).toBe(0);
    expect(changed(run, LB)).toBe(0);
    expect(await state()).toEqual(before);
  });
});

/** The deployment.toml hash and the process of each node (unchanged = not written, not restarted). */
const stateOf = (ns: StandinNode[]) =>
  Promise.all(ns.map(async (n) => ({ n: n.name, toml: await sha(n, TOML), proc: await processOf(n) })));

/** `[server] hostname` and both proxy ports of a node's deployment.toml are the LB's. */
function expectFronted(toml: string, host: string): void {
  expect(tomlTable(toml, '[server]'), host).toMatch(
    new RegExp(`^hostname = "${host.replaceAll('.', '\\.')}"\n`),
  );
  expect(tomlTable(toml, '[transport.https.properties]'), host).toMatch(/^proxyPort = 443\n/);
  expect(tomlTable(toml, '[transport.http.properties]'), host).toMatch(/^proxyPort = 80\n/);
}

/** --check --diff, apply, redirects and a second apply of a layout whose nodes are all fresh. */
function nodeLayout(
  pattern: LabPattern,
  hosts: Record<string, string>,
  expectApplied: (tomls: Record<string, string>, nodes: StandinNode[]) => Promise<void> | void,
  redirects: Record<string, string[]>,
  diffLines: string[] = [],
): void {
  const names = Object.keys(hosts);
  let nodes: StandinNode[];
  let inv: string;
  beforeAll(async () => {
    nodes = await Promise.all(names.map(freshNode));
    inv = inventory(pattern);
  });

  it("--check --diff shows each node's deployment.toml diff and changes nothing", async () => {
    const before = await stateOf(nodes);
    const run = await apply(inv, '--check', '--diff');
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of nodes) {
      expect(run.stdout).toContain(`--- before: ${n.home}/${TOML}`);
      expect(run.stdout).toMatch(new RegExp(`${n.name}\\] restart API-M`));
    }
    for (const host of new Set(Object.values(hosts))) expect(run.stdout).toContain(`+hostname = "${host}"`);
    for (const line of diffLines) expect(run.stdout).toContain(line);
    expect(await stateOf(nodes)).toEqual(before);
  });

  it('apply sets the derived settings on each node, restarting each as wso2carbon', async () => {
    const before = await stateOf(nodes);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of names) expect(changed(run, n), n).toBe(3);
    const tomls: Record<string, string> = {};
    for (const n of nodes) tomls[n.name] = await readHome(n, TOML);
    for (const n of names) expectFronted(tomls[n]!, hosts[n]!);
    await expectApplied(tomls, nodes);
    const after = await stateOf(nodes);
    for (const [i, n] of names.entries()) {
      expect(after[i]!.proc.pid, n).not.toBe(before[i]!.proc.pid);
      expect(after[i]!.proc.user, n).toBe('wso2carbon');
    }
  });

  it('requests through the load balancer that follow redirects stay on each public hostname on 443', async () => {
    for (const [host, paths] of Object.entries(redirects)) await expectPublicRedirects(host, paths);
  });

  it('a second apply changes and restarts nothing', async () => {
    const before = await stateOf(nodes);
    const run = await apply(inv);
    expect(run.exitCode, run.all).toBe(EXIT.OK);
    for (const n of names) expect(changed(run, n), n).toBe(0);
    expect(changed(run, LB)).toBe(0);
    expect(await stateOf(nodes)).toEqual(before);
  });
}

describe('node play, 3.x distributed (gateway manager, gateway worker, key manager, traffic manager)', () => {
  nodeLayout(
    'nodes-3x-distributed',
    { ngwm1: 'mgtgw.am.wso2.com', ngwk1: 'gw.am.wso2.com', nkm2: 'km.am.wso2.com', ntmk2: 'tm.am.wso2.com' },
    (t) => {
      // Both gateway nodes validate keys on the Key Manager's name and throttle on the TM's.
      for (const toml of [t['ngwm1']!, t['ngwk1']!]) {
        expect(tomlTable(toml, '[apim.key_manager]')).toMatch(
          /^service_url = "https:\/\/km\.am\.wso2\.com\/services\/"\n/,
        );
        expect(tomlTable(toml, '[apim.throttling]')).toMatch(
          /^service_url = "https:\/\/tm\.am\.wso2\.com\/services\/"\n/,
        );
        // A gateway shows no portal: no Dev Portal URL written.
        expect(toml).not.toMatch(/^\[apim\.devportal\]/m);
      }
      for (const toml of [t['nkm2']!, t['ntmk2']!]) expect(toml).not.toMatch(/^\[apim\.throttling\]/m);
    },
    { 'mgtgw.am.wso2.com': ['/carbon'], 'km.am.wso2.com': ['/carbon'], 'tm.am.wso2.com': ['/carbon'] },
    [
      '+service_url = "https://km.am.wso2.com/services/"',
      '+[apim.throttling]\n+service_url = "https://tm.am.wso2.com/services/"',
    ],
  );
});

describe('node play, 4.x simple scalable (all-in-one + gateway)', () => {
  nodeLayout(
    'nodes-4x-simple-scalable',
    // The gateway's 9443 is served on the gateway manager name (SIMPLE-4), so that is its hostname.
    { naio1: 'api.am.wso2.com', nsgw2: 'gwm.am.wso2.com' },
    async (t) => {
      const env = tomlTable(t['naio1']!, '[[apim.gateway.environment]]');
      expect(env).toContain('https_endpoint = "https://gw.am.wso2.com"');
      expect(env).toContain('http_endpoint = "http://gw.am.wso2.com"');
      expect(tomlTable(t['naio1']!, '[apim.devportal]')).toMatch(
        /^url = "https:\/\/api\.am\.wso2\.com\/devportal"\n/,
      );
      // The gateway shows no portal and publishes nothing.
      expect(t['nsgw2']).not.toMatch(/^\[apim\.devportal\]/m);
      expect(await getThroughLb('api.am.wso2.com', '/api/am/devportal/v3/apis')).toContain(
        '"https": "https://gw.am.wso2.com"',
      );
    },
    { 'api.am.wso2.com': ['/publisher', '/devportal', '/carbon'], 'gwm.am.wso2.com': ['/carbon'] },
  );
});

describe('node play, 4.x active-active (all-in-one pair)', () => {
  nodeLayout(
    'nodes-4x-active-active',
    { naio1: 'api.am.wso2.com', naio2: 'api.am.wso2.com' },
    async (t, pair) => {
      // Both nodes carry the same derived settings, and were restarted one at a time.
      expect(t['naio1']!.replace(/^offset = \d+$/m, '')).toBe(t['naio2']!.replace(/^offset = \d+$/m, ''));
      expect(tomlTable(t['naio1']!, '[[apim.gateway.environment]]')).toContain(
        'https_endpoint = "https://gw.am.wso2.com"',
      );
      await expectRolled(pair);
    },
    { 'api.am.wso2.com': ['/publisher', '/devportal', '/admin', '/carbon'] },
  );
});

describe('node play, 4.x control plane with a separate key manager', () => {
  nodeLayout(
    'nodes-4x-keymanager',
    { ncp2: 'cp.am.wso2.com', nkm41: 'km.am.wso2.com' },
    (t) => {
      expect(tomlTable(t['ncp2']!, '[apim.key_manager]')).toMatch(
        /^service_url = "https:\/\/km\.am\.wso2\.com\/services\/"\n/,
      );
      expect(tomlTable(t['ncp2']!, '[apim.devportal]')).toMatch(
        /^url = "https:\/\/cp\.am\.wso2\.com\/devportal"\n/,
      );
      expect(tomlTable(t['nkm41']!, '[apim.event_hub]')).toMatch(
        /^service_url = "https:\/\/cp\.am\.wso2\.com\/services\/"\n/,
      );
    },
    { 'cp.am.wso2.com': ['/publisher', '/devportal', '/carbon'], 'km.am.wso2.com': ['/carbon'] },
  );
});
