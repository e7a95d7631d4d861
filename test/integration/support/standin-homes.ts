/**
 * The carbon homes of the lab's STAND-IN API-M nodes (vagrant/standin/standin-ctl): read and write
 * their configuration files as root (owner and mode kept), restart a node through its own bin script
 * as wso2carbon, and set the public hostname and proxy port the way node configuration does.
 */
import type { Lab } from '../../../src/lab/index.js';
import {
  editToml,
  editXml,
  type SettingValue,
  type TomlKeyRef,
  type XmlKeyRef,
} from '../../../src/nodes/index.js';

const CTL = '/opt/apim-lab/standin/standin-ctl';

export const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** A command as root on a lab machine; its stdout, or an error with its stderr. */
export async function root(lab: Lab, machine: string, command: string, stdin?: string): Promise<string> {
  const r = await lab.exec(machine, command, { root: true, ...(stdin !== undefined ? { stdin } : {}) });
  if (r.code !== 0) throw new Error(`${machine}: \`${command}\` exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface StandinNode {
  lab: Lab;
  name: string;
  version: '2.6' | '3.x' | '4.x';
  machine: string;
  ip: string;
  /** The servlet port, 9443 + offset. */
  port: number;
  home: string;
  script: string;
}

export async function standinNode(lab: Lab, name: string): Promise<StandinNode> {
  const s = lab.standins.find((x) => x.name === name);
  if (!s) throw new Error(`the lab has no stand-in ${name}`);
  const home = (await root(lab, s.machine, `${CTL} home ${name}`)).trim();
  const script = s.version === '4.x' ? 'api-manager.sh' : 'wso2server.sh';
  return {
    lab,
    name,
    version: s.version,
    machine: s.machine,
    ip: lab.machines[s.machine]!.ip,
    port: 9443 + s.offset,
    home,
    script,
  };
}

export const readHome = (n: StandinNode, file: string): Promise<string> =>
  root(n.lab, n.machine, `cat ${q(`${n.home}/${file}`)}`);

// Truncating an existing file keeps its owner and mode.
export const writeHome = (n: StandinNode, file: string, text: string): Promise<string> =>
  root(n.lab, n.machine, `cat > ${q(`${n.home}/${file}`)}`, text);

/** Restarts the node as its own user through its bin script and waits for its servlet port. */
export async function restartNode(n: StandinNode): Promise<void> {
  await root(
    n.lab,
    n.machine,
    `runuser -u wso2carbon -- ${q(`${n.home}/bin/${n.script}`)} restart >/dev/null && for i in $(seq 1 100); do ss -Hltn 'sport = :${n.port}' | grep -q LISTEN && exit 0; sleep 0.1; done; exit 1`,
  );
}

const DEPLOYMENT_TOML = 'repository/conf/deployment.toml';
const CARBON_XML = 'repository/conf/carbon.xml';
const CATALINA_XML = 'repository/conf/tomcat/catalina-server.xml';

/**
 * Gives the node a public hostname and HTTPS proxy port (3.x/4.x deployment.toml; 2.6 carbon.xml
 * and catalina-server.xml) plus any further TOML settings, restarts it, and returns what undoes it.
 */
export async function configureStandin(
  n: StandinNode,
  hostname: string,
  proxyPort: number,
  extraToml: Array<{ key: TomlKeyRef; value: SettingValue }> = [],
): Promise<() => Promise<void>> {
  const files = n.version === '2.6' ? [CARBON_XML, CATALINA_XML] : [DEPLOYMENT_TOML];
  const originals = new Map<string, string>();
  for (const f of files) originals.set(f, await readHome(n, f));
  if (n.version === '2.6') {
    const host: XmlKeyRef = {
      format: 'xml',
      element: [{ name: 'Server' }, { name: 'HostName' }],
      after: ['Version'],
    };
    const port: XmlKeyRef = {
      format: 'xml',
      element: [{ name: 'Server' }, { name: 'Service' }, { name: 'Connector', where: { port: '9443' } }],
      attribute: 'proxyPort',
    };
    await writeHome(
      n,
      CARBON_XML,
      editXml(CARBON_XML, originals.get(CARBON_XML)!, [{ key: host, value: hostname }]).text,
    );
    await writeHome(
      n,
      CATALINA_XML,
      editXml(CATALINA_XML, originals.get(CATALINA_XML)!, [{ key: port, value: String(proxyPort) }]).text,
    );
  } else {
    const k = (table: string[], key: string): TomlKeyRef => ({ format: 'toml', table, key: [key] });
    const settings: Array<{ key: TomlKeyRef; value: SettingValue }> = [
      { key: k(['server'], 'hostname'), value: hostname },
      { key: k(['transport', 'https', 'properties'], 'proxyPort'), value: proxyPort },
      ...extraToml,
    ];
    await writeHome(
      n,
      DEPLOYMENT_TOML,
      editToml(DEPLOYMENT_TOML, originals.get(DEPLOYMENT_TOML)!, settings).text,
    );
  }
  await restartNode(n);
  return async () => {
    for (const [f, text] of originals) await writeHome(n, f, text);
    await restartNode(n);
  };
}
