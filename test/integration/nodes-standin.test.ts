/**
 * The lab's STAND-IN API-M nodes behave like Carbon where node configuration matters: each runs
 * from its own carbon home (real layout, owned by wso2carbon, started by its bin script as that
 * user, -Dcarbon.home on the command line, a real JKS truststore), reads its configuration at
 * start and builds absolute redirects and advertised URLs from hostname and proxyPort.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab/index.js';
import { type TomlKeyRef } from '../../src/nodes/index.js';
import { curlFrom, getLab } from './support/lab.js';
import {
  configureStandin,
  q,
  readHome as read,
  restartNode as restart,
  root as rootOn,
  standinNode,
  writeHome as write,
} from './support/standin-homes.js';

let lab: Lab;
beforeAll(async () => {
  lab = await getLab();
});

const root = (machine: string, command: string): Promise<string> => rootOn(lab, machine, command);
const node = (name: string) => standinNode(lab, name);

const location = (headers: string): string | undefined => /^location: (.*?)\r?$/im.exec(headers)?.[1];

describe.each([
  { name: 'aio1', version: '3.x', file: 'repository/conf/deployment.toml' },
  { name: 'cp1', version: '4.x', file: 'repository/conf/deployment.toml' },
  { name: 'legacy1', version: '2.6', file: 'repository/conf/carbon.xml' },
])('stand-in carbon home of $name ($version)', ({ name, version, file }) => {
  it('is laid out like a real install, owned by wso2carbon, run as wso2carbon with -Dcarbon.home', async () => {
    const n = await node(name);
    expect(n.home).toMatch(
      new RegExp(
        `^/opt/wso2/${name}/wso2am-${version === '2.6' ? '2\\.6\\.0' : version === '3.x' ? '3\\.2\\.0' : '4\\.2\\.0'}$`,
      ),
    );
    const facts = await root(
      n.machine,
      [
        `cd ${q(n.home)}`,
        `stat -c '%U:%G %a %n' bin/${n.script} ${file} repository/resources/security/client-truststore.jks`,
        'cat bin/version.txt',
        'ps -o user:16=,args= -p "$(cat wso2carbon.pid)"',
        'keytool -list -storetype JKS -keystore repository/resources/security/client-truststore.jks -storepass wso2carbon | grep -c trustedCertEntry',
      ].join(' && '),
    );
    expect(facts).toContain(`wso2carbon:wso2carbon 755 bin/${n.script}`);
    expect(facts).toContain(`wso2carbon:wso2carbon 640 ${file}`);
    expect(facts).toMatch(/WSO2 API Manager v\d\.\d\.0/);
    expect(facts).toMatch(new RegExp(`^wso2carbon .*-Dcarbon\\.home=${n.home}(\\s|$)`, 'm'));
    expect(facts.trim().split('\n').pop()).toBe('1');
  });

  it('redirects like Carbon: to localhost:9443+offset as shipped, to the public name once configured', async () => {
    const n = await node(name);
    const shipped = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${n.ip}:${n.port}/publisher`]);
    expect(shipped.status).toBe(302);
    expect(location(shipped.headers)).toBe(`https://localhost:${n.port}/publisher/`);

    const env = (key: string): TomlKeyRef => ({
      format: 'toml',
      table: ['apim', 'gateway', 'environment'],
      key: [key],
      element: { select: 'first' },
    });
    const restore = await configureStandin(n, 'api.example.com', 443, [
      { key: env('https_endpoint'), value: 'https://gw.example.com' },
    ]);
    try {
      const configured = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${n.ip}:${n.port}/publisher`]);
      expect(location(configured.headers)).toBe('https://api.example.com/publisher/');
      const login = await curlFrom(lab, 'lb-bookworm', [
        '-k',
        `https://${n.ip}:${n.port}/oauth2/authorize?x=1`,
      ]);
      expect(location(login.headers)).toBe(
        `https://api.example.com/authenticationendpoint/login.do?sessionDataKey=standin&node=${name}`,
      );
      if (version !== '2.6') {
        const apis = await curlFrom(lab, 'lb-bookworm', [
          '-k',
          `https://${n.ip}:${n.port}/api/am/devportal/v3/apis`,
        ]);
        const urls = (
          JSON.parse(apis.body) as { list: Array<{ endpointURLs: Array<{ URLs: Record<string, string> }> }> }
        ).list[0]!.endpointURLs[0]!.URLs;
        expect(urls.https).toBe('https://gw.example.com');
        // Carbon does not touch a literal localhost: the shipped http_endpoint still leaks it.
        expect(urls.http).toBe(`http://localhost:${n.port - 9443 + 8280}`);
      }
    } finally {
      await restore();
    }
  });
});

describe('stand-in start failures', () => {
  it('a node whose configuration does not parse does not start, as Carbon does; the fault hook fails one start', async () => {
    const n = await node('aio2');
    const file = 'repository/conf/deployment.toml';
    const original = await read(n, file);
    try {
      await write(n, file, `${original}\n[server\n`);
      await expect(restart(n)).rejects.toThrow();
      expect(await read(n, 'repository/logs/wso2carbon.log')).toMatch(
        /cannot read the configuration: .*deployment\.toml/,
      );
      await write(n, file, original);
      await root(n.machine, `touch ${q(`${n.home}/.standin-fail-next-start`)}`);
      await expect(restart(n)).rejects.toThrow();
      expect(await read(n, 'repository/logs/wso2carbon.log')).toContain('STAND-IN FAULT: start refused once');
    } finally {
      await write(n, file, original);
      await restart(n);
    }
    const back = await curlFrom(lab, 'lb-bookworm', ['-k', `https://${n.ip}:${n.port}/carbon/`]);
    expect(back.status).toBe(200);
  });
});
