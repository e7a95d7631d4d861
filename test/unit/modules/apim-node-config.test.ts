/**
 * apim_node_config's pure planning against given facts (no host): which files and keys change on a
 * stock home, what an up-to-date home plans (nothing), the messages for a home that is missing, of
 * the wrong version or offset, run as root, and a file that is gone. The facts are what
 * node-facts.sh reports, parsed by the real parser.
 */
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '../../../src/modules/contract.js';
import { apimNodeConfig } from '../../../src/modules/apim-node-config.js';
import { onNode } from '../../../src/modules/apim-node.js';
import {
  encodeValue,
  formatRecord,
  parseAnswers,
  type FactAnswers,
  type HostFacts,
} from '../../../src/remote/index.js';
import { errors, loadText } from '../inventory/helpers.js';
import { changedLines, stockFile } from '../nodes/support.js';

const HOME = '/opt/wso2am-4.2.0';
const TOML = `${HOME}/repository/conf/deployment.toml`;
const rec = (k: string, v: string): string => formatRecord(k, v);
const b64 = (s: string): string => encodeValue(s);

const inventory = (nodeVars = '') => `
all:
  children:
    loadbalancers:
      hosts:
        lb1:
          ansible_host: 198.51.100.10
      vars:
        apim_version: '4.x'
        apim_pattern: single-node
    apim_all_in_one:
      hosts:
        apim1:
          ansible_host: 192.0.2.10
${nodeVars}
`;

/** The node-facts.sh answer for one home (owner, version.txt, bin script, running process). */
function discovery(opts: { home?: string; owner?: string; version?: string; user?: string } = {}): string[] {
  const home = b64(opts.home ?? HOME);
  return [
    rec('apim_searched', b64('/opt/wso2am-*')),
    rec(
      'apim_home',
      `${home} ${opts.owner ?? 'wso2carbon'} ${b64(opts.version ?? 'WSO2 API Manager v4.2.0\n')}`,
    ),
    rec('apim_script', `${home} ${b64(`${opts.home ?? HOME}/bin/api-manager.sh`)}`),
    rec('apim_process', `${home} 4242 ${opts.user ?? 'wso2carbon'} ${b64('/usr/lib/jvm/bin/keytool')} -`),
    rec('apim_keytool', b64('/usr/bin/keytool')),
  ];
}

const tomlFile = (path: string, text: string | undefined): string[] =>
  text === undefined
    ? [rec('file', `${b64(path)} 0`), rec('missing', b64(path))]
    : [
        rec('file', `${b64(path)} 1 file 0640 wso2carbon wso2carbon ${text.length} ${'a'.repeat(64)}`),
        rec('content', `${b64(path)} ${b64(text)}`),
      ];

function answers(lines: string[]): FactAnswers {
  return parseAnswers([...lines, rec('done', '1')].join('\n'));
}

function context(nodeVars: string, facts: FactAnswers): ModuleContext {
  const loaded = loadText(inventory(nodeVars));
  expect(errors(loaded.diagnostics)).toEqual([]);
  const inv = loaded.inventory!;
  const node = inv.apimNodes[0]!;
  // Only what the node modules read: the service manager and the answers to their queries.
  const hostFacts = {
    serviceManager: 'systemd',
    ...facts,
  } as Partial<HostFacts> as HostFacts;
  return {
    host: node.host,
    inventory: inv,
    apimNode: node,
    facts: hostFacts,
    confPrefix: '/etc/nginx',
    defaultOwner: 'root',
    vars: {},
    task: { name: 'node config', loc: { file: loaded.file, line: 1, column: 1 } },
    localCa: () => {
      throw new Error('not used by apim_node_config');
    },
  };
}

const plan = (nodeVars: string, lines: string[]) =>
  apimNodeConfig.plan(context(nodeVars, answers(lines)), {});

const stock = stockFile('4.2.0', 'repository/conf/deployment.toml');

describe('apim_node_config plan (4.x all-in-one, single node)', () => {
  it('stages deployment.toml with hostname, proxy ports, gateway and devportal URLs, keeping owner and mode', async () => {
    const p = await plan('', [...discovery(), ...tomlFile(TOML, stock)]);
    expect(p.failure).toBeUndefined();
    expect(p.actions).toHaveLength(1);
    const action = p.actions[0]!;
    if (action.kind !== 'stage-file') throw new Error(`unexpected action ${action.kind}`);
    expect(action.file).toMatchObject({ path: TOML, mode: '0640', owner: 'wso2carbon', group: 'wso2carbon' });
    const after = action.file.content.toString('utf8');
    const { removed, added } = changedLines(stock, after);
    expect(removed).toContain('hostname = "localhost"');
    expect(added).toContain('hostname = "api.am.wso2.com"');
    expect(added).toEqual(
      expect.arrayContaining([
        '[transport.https.properties]',
        'proxyPort = 443',
        '[transport.http.properties]',
        'proxyPort = 80',
        'https_endpoint = "https://gw.am.wso2.com"',
        'http_endpoint = "http://gw.am.wso2.com"',
        'url = "https://api.am.wso2.com/devportal"',
      ]),
    );
    // Nothing but changed settings' lines is removed: comments and other keys stay.
    expect(
      removed.every((l) => /^(hostname|\w*_?endpoint|service_url|url) = /.test(l) || l === ''),
      removed.join('\n'),
    ).toBe(true);
    expect(p.message).toContain(`${TOML}: `);
    expect(p.message).toContain('"api.am.wso2.com"');
  });

  it('plans nothing for a home that already holds every derived setting', async () => {
    const first = await plan('', [...discovery(), ...tomlFile(TOML, stock)]);
    const action = first.actions[0]!;
    if (action.kind !== 'stage-file') throw new Error('expected a staged file');
    const done = action.file.content.toString('utf8');
    const again = await plan('', [...discovery(), ...tomlFile(TOML, done)]);
    expect(again.failure).toBeUndefined();
    expect(again.actions).toEqual([]);
  });

  it('keeps a hand-tuned key it does not manage, and unrelated tables, byte for byte', async () => {
    const tuned = stock.replace('[server]\n', '[server]\n# tuned by ops\nnode_ip = "10.0.0.5"\n');
    const p = await plan('', [...discovery(), ...tomlFile(TOML, tuned)]);
    const action = p.actions[0]!;
    if (action.kind !== 'stage-file') throw new Error('expected a staged file');
    const after = action.file.content.toString('utf8');
    expect(after).toContain('[server]\n# tuned by ops\nnode_ip = "10.0.0.5"\n');
    expect(changedLines(tuned, after).removed).not.toContain('node_ip = "10.0.0.5"');
  });
});

describe('apim_node_config plan: settings set by hand (apim_node_settings)', () => {
  it('writes a key the tool does not derive next to the derived ones', async () => {
    const p = await plan('          apim_node_settings: { "server.node_ip": "192.0.2.10" }', [
      ...discovery(),
      ...tomlFile(TOML, stock),
    ]);
    const action = p.actions[0]!;
    if (action.kind !== 'stage-file') throw new Error('expected a staged file');
    expect(action.file.content.toString('utf8')).toMatch(
      /^\[server\]\nhostname = "api\.am\.wso2\.com"\n(?:.*\n)*?node_ip = "192\.0\.2\.10"\n/,
    );
  });

  it('a hand-set value that conflicts with what the load balancer needs is refused before any plan', () => {
    const { diagnostics } = loadText(
      inventory('          apim_node_settings: { "transport.https.properties.proxyPort": 9443 }'),
    );
    const refused = errors(diagnostics);
    expect(refused.length, JSON.stringify(diagnostics)).toBeGreaterThan(0);
    expect(JSON.stringify(refused)).toContain('proxyPort');
  });
});

describe('apim_node_config plan: refusals (nothing is staged)', () => {
  it('no API-M home found: names where it looked and apim_home', async () => {
    const p = await plan('', [
      rec('apim_searched', b64('/opt/wso2am-*')),
      rec('apim_searched', b64('/usr/lib/wso2/*')),
    ]);
    expect(p.actions).toEqual([]);
    expect(p.failure).toBe(
      'no API-M installation found on apim1 (looked at /opt/wso2am-*, /usr/lib/wso2/*): set apim_home to its carbon home',
    );
  });

  it('a given apim_home that is no carbon home', async () => {
    const p = await plan('          apim_home: /srv/apim', [rec('apim_searched', b64('/srv/apim'))]);
    expect(p.failure).toBe(
      'apim_home /srv/apim is not an API-M home on apim1 (no repository/conf there): correct apim_home',
    );
  });

  it('deployment.toml missing in the home', async () => {
    const p = await plan('', [...discovery(), ...tomlFile(TOML, undefined)]);
    expect(p.actions).toEqual([]);
    expect(p.failure).toBe(`${TOML} is missing on the node (is ${HOME} an API-M 4.x home?)`);
  });

  it('a home of another release than the load balancers say', async () => {
    const home = '/opt/wso2am-3.2.0';
    const p = await plan('', [
      ...discovery({ home, version: 'WSO2 API Manager v3.2.0\n' }),
      ...tomlFile(`${home}/repository/conf/deployment.toml`, stock),
    ]);
    expect(p.failure).toMatch(
      /^\/opt\/wso2am-3\.2\.0 is API-M 3\.2\.0, but the load balancers in front of apim1 have apim_version 4\.x/,
    );
  });

  it("a port offset in the file other than the inventory's apim_port_offset", async () => {
    const p = await plan('          apim_port_offset: 2', [...discovery(), ...tomlFile(TOML, stock)]);
    expect(p.failure).toContain("has port offset 0, but the inventory's apim_port_offset for apim1 is 2");
  });

  it('API-M that would be restarted as root', async () => {
    const p = await plan('', [...discovery({ owner: 'root', user: 'root' }), ...tomlFile(TOML, stock)]);
    expect(p.failure).toContain('never as root; set apim_user to that account');
  });

  it('a file that is not TOML: the file and line, nothing changed', async () => {
    const p = await plan('', [...discovery(), ...tomlFile(TOML, `${stock}\n[server\nbroken = `)]);
    expect(p.actions).toEqual([]);
    expect(p.failure).toMatch(
      /^\/opt\/wso2am-4\.2\.0\/repository\/conf\/deployment\.toml: line \d+, column \d+: not valid TOML \(.+\); fix the file by hand, nothing was changed$/,
    );
  });
});

describe('node facts parser (node-facts.sh records)', () => {
  it('reads homes with owner, version, scripts, processes, units and init scripts', () => {
    const other = '/usr/lib/wso2/wso2am-4.2.0';
    const a = answers([
      ...discovery(),
      rec('apim_home', `${b64(other)} apim - `),
      rec('apim_unit', `${b64(other)} wso2am.service ${b64('apim')}`),
      rec('apim_init', `${b64(other)} wso2am`),
      rec('apim_process', `${b64(other)} 77 apim - wso2am.service`),
      rec('apim_tool', 'curl'),
      rec('apim_tool', 'runuser'),
    ]);
    expect(a.apim).toEqual({
      searched: ['/opt/wso2am-*'],
      keytool: '/usr/bin/keytool',
      tools: ['curl', 'runuser'],
      homes: [
        {
          home: HOME,
          owner: 'wso2carbon',
          versionText: 'WSO2 API Manager v4.2.0',
          scripts: [`${HOME}/bin/api-manager.sh`],
          processes: [{ pid: 4242, user: 'wso2carbon', keytool: '/usr/lib/jvm/bin/keytool' }],
          units: [],
          initScripts: [],
        },
        {
          home: other,
          owner: 'apim',
          versionText: '',
          scripts: [],
          processes: [{ pid: 77, user: 'apim', unit: 'wso2am.service' }],
          units: [{ name: 'wso2am.service', user: 'apim' }],
          initScripts: ['wso2am'],
        },
      ],
    });
  });

  it('no apim-home query asked: no discovery; asked and nothing found: an empty one', () => {
    expect(answers([]).apim).toBeUndefined();
    expect(answers([rec('apim_searched', b64('/opt/wso2am-*'))]).apim).toEqual({
      searched: ['/opt/wso2am-*'],
      homes: [],
      tools: [],
    });
  });

  it('records of a home that was not reported are ignored', () => {
    const a = answers([
      rec('apim_searched', b64('/x')),
      rec('apim_script', `${b64('/nowhere')} ${b64('/nowhere/bin/a.sh')}`),
    ]);
    expect(a.apim!.homes).toEqual([]);
  });
});

describe('onNode', () => {
  it("joins the home and a plan's relative path; an absolute path stays as it is", () => {
    expect(onNode(HOME, 'repository/conf/deployment.toml')).toBe(TOML);
    expect(onNode(HOME, '/etc/wso2/x.toml')).toBe('/etc/wso2/x.toml');
  });
});
