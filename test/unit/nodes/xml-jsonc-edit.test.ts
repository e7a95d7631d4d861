import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { editJsonc, editXml, NodeFileError, type XmlKeyRef } from '../../../src/nodes/index.js';
import { changedLines, expectCommentsKept, stockFile } from './support.js';

const oracle = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

const text = (element: string[], after?: string[]): XmlKeyRef => ({
  format: 'xml',
  element: element.map((name) => ({ name })),
  ...(after ? { after } : {}),
});
const connector = (port: string): XmlKeyRef => ({
  format: 'xml',
  element: [{ name: 'Server' }, { name: 'Service' }, { name: 'Connector', where: { port } }],
  attribute: 'proxyPort',
});

describe('editXml on WSO2 2.6 files', () => {
  it('adds HostName and MgtHostName to carbon.xml after Version, keeping the commented-out samples', () => {
    const original = stockFile('2.6.0', 'repository/conf/carbon.xml');
    const settings = [
      { key: text(['Server', 'HostName'], ['Version']), value: 'api.example.com' },
      { key: text(['Server', 'MgtHostName'], ['HostName', 'Version']), value: 'api.example.com' },
    ];
    const r = editXml('repository/conf/carbon.xml', original, settings);
    expect(changedLines(original, r.text)).toEqual({
      removed: [],
      added: ['    <HostName>api.example.com</HostName>', '    <MgtHostName>api.example.com</MgtHostName>'],
    });
    expectCommentsKept(original, r.text);
    const server = (oracle.parse(r.text) as { Server: Record<string, unknown> }).Server;
    expect([server.HostName, server.MgtHostName]).toEqual(['api.example.com', 'api.example.com']);
    expect(editXml('carbon.xml', r.text, settings)).toEqual({ text: r.text, changes: [], skipped: [] });
  });

  it('adds proxyPort to the 9443 and 9763 connectors on lines of their own, aligned', () => {
    const original = stockFile('2.6.0', 'repository/conf/tomcat/catalina-server.xml');
    const r = editXml('catalina-server.xml', original, [
      { key: connector('9443'), value: '443' },
      { key: connector('9763'), value: '80' },
    ]);
    expect(changedLines(original, r.text)).toEqual({
      removed: ['                   URIEncoding="UTF-8"/>', '                   URIEncoding="UTF-8"/>'],
      added: [
        '                   URIEncoding="UTF-8"',
        '                   proxyPort="80"/>',
        '                   URIEncoding="UTF-8"',
        '                   proxyPort="443"/>',
      ],
    });
    const parsed = oracle.parse(r.text) as {
      Server: { Service: { Connector: Array<Record<string, string>> } };
    };
    const connectors = parsed.Server.Service.Connector;
    expect(connectors.map((c) => [c['@port'], c['@proxyPort']])).toEqual([
      ['9763', '80'],
      ['9443', '443'],
    ]);
  });

  it('replaces an attribute in place, keeping its quotes', () => {
    const r = editXml(
      'f',
      "<Server><Service><Connector port='9443' proxyPort='8443' a=\"1\"/></Service></Server>",
      [{ key: connector('9443'), value: '443' }],
    );
    expect(r.text).toBe(
      "<Server><Service><Connector port='9443' proxyPort='443' a=\"1\"/></Service></Server>",
    );
    expect(r.changes).toEqual([
      { label: 'Server/Service/Connector[@port="9443"]/@proxyPort', before: '8443', after: '443' },
    ]);
  });

  it('sets element text, escaping what XML needs, and reads entities when comparing', () => {
    const key = text(['APIManager', 'APIGateway', 'Environments', 'Environment', 'GatewayEndpoint']);
    const original = stockFile('2.6.0', 'repository/conf/api-manager.xml');
    const r = editXml('api-manager.xml', original, [
      { key, value: 'http://gw.example.com,https://gw.example.com' },
    ]);
    expect(changedLines(original, r.text).added).toEqual([
      '                <GatewayEndpoint>http://gw.example.com,https://gw.example.com</GatewayEndpoint>',
    ]);
    const amp = editXml('f', '<a><b>x &amp; y</b></a>', [{ key: text(['a', 'b']), value: 'x & y' }]);
    expect(amp.changes).toEqual([]);
    expect(editXml('f', '<a><b/></a>', [{ key: text(['a', 'b']), value: '<1>' }]).text).toBe(
      '<a><b>&lt;1&gt;</b></a>',
    );
  });

  it('skips a setting whose parent element the file lacks', () => {
    const r = editXml('f', '<Server/>', [{ key: connector('9443'), value: '443' }]);
    expect(r.skipped).toEqual([
      { label: 'Server/Service/Connector[@port="9443"]/@proxyPort', why: 'the file has no <Service> there' },
    ]);
  });

  it('refuses XML that is not well-formed, and an element holding elements', () => {
    expect(() => editXml('carbon.xml', '<Server><Name></Server>', [])).toThrow(NodeFileError);
    expect(() =>
      editXml('carbon.xml', '<a><b><c/></b></a>', [{ key: text(['a', 'b']), value: 'x' }]),
    ).toThrow(/line 1: a\/b holds elements/);
  });
});

describe('editJsonc on a 2.6 portal site.json', () => {
  const original = stockFile('2.6.0', 'repository/deployment/server/jaggeryapps/store/site/conf/site.json');
  const settings = [
    { key: { format: 'jsonc' as const, path: ['reverseProxy', 'enabled'] }, value: true },
    { key: { format: 'jsonc' as const, path: ['reverseProxy', 'host'] }, value: 'store.example.com' },
    { key: { format: 'jsonc' as const, path: ['reverseProxy', 'context'] }, value: '/store' },
  ];

  it('sets the reverse proxy values, keeping the comments after them', () => {
    const r = editJsonc('site.json', original, settings);
    expect(changedLines(original, r.text)).toEqual({
      removed: [
        '        "enabled" : false,    // values true , false , "auto" - will look for  X-Forwarded-* headers',
        '        "host" : "sample.proxydomain.com", // If reverse proxy do not have a domain name use IP',
        '        "context":"",',
      ],
      added: [
        '        "enabled" : true,    // values true , false , "auto" - will look for  X-Forwarded-* headers',
        '        "host" : "store.example.com", // If reverse proxy do not have a domain name use IP',
        '        "context":"/store",',
      ],
    });
    expect(editJsonc('site.json', r.text, settings)).toEqual({ text: r.text, changes: [], skipped: [] });
  });

  it('refuses a file that is not JSON', () => {
    expect(() => editJsonc('site.json', '{ "a": ', [])).toThrow(/site.json: line 1: .*not valid JSON/);
  });
});
