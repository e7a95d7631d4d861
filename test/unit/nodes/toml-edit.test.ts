import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editToml, NodeFileError, type TomlKeyRef } from '../../../src/nodes/index.js';
import { at, changedLines, expectCommentsKept, stockFile, tomlValue, without } from './support.js';

const key = (table: string[], name: string, extra: Partial<TomlKeyRef> = {}): TomlKeyRef => ({
  format: 'toml',
  table,
  key: [name],
  ...extra,
});
const env = (name: string): TomlKeyRef =>
  key(['apim', 'gateway', 'environment'], name, { element: { select: 'first' } });

describe('editToml on WSO2 4.2.0 deployment.toml', () => {
  const original = stockFile('4.2.0', 'repository/conf/deployment.toml');
  const settings = [
    { key: key(['server'], 'hostname'), value: 'api.example.com' },
    { key: key(['transport', 'https', 'properties'], 'proxyPort'), value: 443 },
    { key: key(['transport', 'http', 'properties'], 'proxyPort'), value: 80 },
    { key: env('https_endpoint'), value: 'https://gw.example.com' },
    { key: env('http_endpoint'), value: 'http://gw.example.com' },
    { key: key(['apim', 'devportal'], 'url'), value: 'https://api.example.com/devportal' },
  ];

  it('changes only the values it sets and adds only the keys that were missing', () => {
    const r = editToml('deployment.toml', original, settings);
    const { removed, added } = changedLines(original, r.text);
    expect(removed).toEqual([
      'hostname = "localhost"',
      'http_endpoint = "http://localhost:${http.nio.port}"',
      'https_endpoint = "https://localhost:${https.nio.port}"',
    ]);
    expect(added).toEqual(
      expect.arrayContaining([
        'hostname = "api.example.com"',
        'http_endpoint = "http://gw.example.com"',
        'https_endpoint = "https://gw.example.com"',
        '[transport.https.properties]',
        'proxyPort = 443',
        '[transport.http.properties]',
        'proxyPort = 80',
        '[apim.devportal]',
        'url = "https://api.example.com/devportal"',
      ]),
    );
    expectCommentsKept(original, r.text);
    expect(r.changes.map((c) => c.label)).toEqual([
      '[server] hostname',
      '[transport.https.properties] proxyPort',
      '[transport.http.properties] proxyPort',
      '[[apim.gateway.environment]] (first) https_endpoint',
      '[[apim.gateway.environment]] (first) http_endpoint',
      '[apim.devportal] url',
    ]);
    expect(r.changes[0]).toEqual({
      label: '[server] hostname',
      before: '"localhost"',
      after: 'api.example.com',
    });
  });

  it('means what it should to an independent TOML parser, every other key unchanged', () => {
    const r = editToml('deployment.toml', original, settings);
    const before = tomlValue(original);
    const after = tomlValue(r.text);
    expect(at(after, 'server', 'hostname')).toBe('api.example.com');
    expect(at(after, 'transport', 'https', 'properties', 'proxyPort')).toBe(443);
    expect(at(after, 'apim', 'gateway', 'environment', 0, 'https_endpoint')).toBe('https://gw.example.com');
    expect(at(after, 'apim', 'devportal', 'url')).toBe('https://api.example.com/devportal');
    // Everything else is as it was.
    const edited: Array<Array<string | number>> = [
      ['server', 'hostname'],
      ['transport'],
      ['apim', 'devportal'],
      ['apim', 'gateway', 'environment', 0, 'https_endpoint'],
      ['apim', 'gateway', 'environment', 0, 'http_endpoint'],
    ];
    const strip = (v: Record<string, unknown>): unknown => without(v, edited);
    expect(strip(after)).toEqual(strip(before));
  });

  it('puts a new table next to its relatives', () => {
    const r = editToml('deployment.toml', original, settings);
    const lines = r.text.split('\n');
    expect(lines.indexOf('[apim.devportal]')).toBeGreaterThan(lines.indexOf('[apim.cors]') - 1);
    expect(lines.indexOf('[transport.http.properties]')).toBe(
      lines.indexOf('[transport.https.properties]') + 3,
    );
  });

  it('is idempotent: a second edit changes nothing', () => {
    const once = editToml('deployment.toml', original, settings);
    const twice = editToml('deployment.toml', once.text, settings);
    expect(twice.text).toBe(once.text);
    expect(twice.changes).toEqual([]);
  });

  it('reaches a sub-table of the element an array of tables selects', () => {
    const r = editToml('deployment.toml', original, [
      {
        key: key(['event_listener'], 'notification_endpoint', {
          element: { select: { key: 'id', equals: 'token_revocation' } },
          subTable: ['properties'],
        }),
        value: 'https://cp.example.com/internal/data/v1/notify',
      },
    ]);
    expect(changedLines(original, r.text).added).toEqual([
      'notification_endpoint = "https://cp.example.com/internal/data/v1/notify"',
    ]);
  });
});

describe('editToml placement and style', () => {
  it("extends a table written with dotted keys (the DIST pages' [transport.https] properties.port)", () => {
    const text = '[transport.https]\nproperties.port = 9443\n\n[other]\na = 1\n';
    const r = editToml('f', text, [
      { key: key(['transport', 'https', 'properties'], 'proxyPort'), value: 443 },
    ]);
    expect(r.text).toBe(
      '[transport.https]\nproperties.port = 9443\nproperties.proxyPort = 443\n\n[other]\na = 1\n',
    );
  });

  it('keeps an existing dotted key in place', () => {
    const text = '[transport.https]\nproperties.proxyPort = 8443 # the old LB\n';
    const r = editToml('f', text, [
      { key: key(['transport', 'https', 'properties'], 'proxyPort'), value: 443 },
    ]);
    expect(r.text).toBe('[transport.https]\nproperties.proxyPort = 443 # the old LB\n');
  });

  it('keeps literal strings literal, CRLF line ends, indentation and a missing final newline', () => {
    const text = "[server]\r\n  hostname = 'localhost'\r\n  offset = 1";
    const r = editToml('f', text, [
      { key: key(['server'], 'hostname'), value: 'api.example.com' },
      { key: key(['server'], 'node_ip'), value: '127.0.0.1' },
    ]);
    expect(r.text).toBe(
      '[server]\r\n  hostname = \'api.example.com\'\r\n  offset = 1\r\n  node_ip = "127.0.0.1"\r\n',
    );
  });

  it('creates the first gateway environment from its template when the file has none', () => {
    const r = editToml('f', '[server]\nhostname = "x"\n', [
      {
        key: key(['apim', 'gateway', 'environment'], 'https_endpoint', {
          element: {
            select: 'first',
            create: [
              ['name', 'Default'],
              ['type', 'hybrid'],
            ],
          },
        }),
        value: 'https://gw.example.com',
      },
    ]);
    expect(r.text).toBe(
      '[server]\nhostname = "x"\n\n[[apim.gateway.environment]]\nname = "Default"\ntype = "hybrid"\nhttps_endpoint = "https://gw.example.com"\n',
    );
  });

  it('skips an element selector that matches nothing and has no template', () => {
    const text = '[[event_listener]]\nid = "other"\n';
    const r = editToml('f', text, [
      {
        key: key(['event_listener'], 'x', { element: { select: { key: 'id', equals: 'token_revocation' } } }),
        value: 'y',
      },
    ]);
    expect(r.text).toBe(text);
    expect(r.skipped).toEqual([
      { label: '[[event_listener]] (id = "token_revocation") x', why: 'the file has no such element' },
    ]);
  });

  it('escapes strings as TOML basic strings', () => {
    const r = editToml('f', '', [{ key: key(['a'], 'b'), value: 'say "hi" \\ \t' }]);
    expect(tomlValue(r.text)).toEqual({ a: { b: 'say "hi" \\ \t' } });
  });

  it('refuses a file that is not TOML, naming the line, and changes nothing', () => {
    expect(() => editToml('repository/conf/deployment.toml', '[server]\nhostname = \n', [])).toThrow(
      NodeFileError,
    );
    expect(() =>
      editToml('repository/conf/deployment.toml', '[server]\nhostname = \n', [
        { key: key(['server'], 'hostname'), value: 'x' },
      ]),
    ).toThrow(/repository\/conf\/deployment.toml: line 3, column 1: not valid TOML/);
  });

  it('refuses to replace a table or array with a value', () => {
    expect(() =>
      editToml('f', '[server]\nhostname = ["a"]\n', [{ key: key(['server'], 'hostname'), value: 'x' }]),
    ).toThrow(/line 2: \[server\] hostname holds an array/);
  });
});

describe('editToml properties', () => {
  const bare = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  const scalar = fc.oneof(
    fc.string({ maxLength: 12 }).filter((s) => !s.includes('\u0000')),
    fc.integer({ min: -1000, max: 100000 }),
    fc.boolean(),
  );
  const toml = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  // A file of tables with keys, values, comments and blank lines, in random order.
  const file = fc
    .uniqueArray(
      fc.record({
        name: fc.array(bare, { minLength: 1, maxLength: 3 }),
        keys: fc.uniqueArray(fc.tuple(bare, scalar), { selector: (t) => t[0], maxLength: 4 }),
        comment: fc.boolean(),
      }),
      { selector: (t) => t.name.join('.'), maxLength: 5 },
    )
    .filter((tables) =>
      // No table may be a key of another (a value and a table at the same path).
      tables.every((a) =>
        tables.every(
          (b) =>
            a === b ||
            !a.keys.some(([k]) => [...a.name, k].join('.') === b.name.slice(0, a.name.length + 1).join('.')),
        ),
      ),
    )
    .map((tables) =>
      tables
        .map(
          (t) =>
            `${t.comment ? `# about ${t.name.join('.')}\n` : ''}[${t.name.join('.')}]\n${t.keys.map(([k, v]) => `${k} = ${toml(v)}  # keep\n`).join('')}`,
        )
        .join('\n'),
    )
    .filter((text) => {
      try {
        tomlValue(text);
        return true;
      } catch {
        return false;
      }
    });

  it('sets the values, keeps every comment and every other value, and is idempotent', () => {
    fc.assert(
      fc.property(
        file,
        fc.array(fc.tuple(fc.array(bare, { minLength: 1, maxLength: 3 }), bare, scalar), { maxLength: 4 }),
        (text, edits) => {
          const settings = edits.map(([table, k, value]) => ({ key: key(table, k), value }));
          let r;
          try {
            r = editToml('f', text, settings);
          } catch (e) {
            // Only a setting whose path is already a table (or under a value) may be refused.
            expect(e).toBeInstanceOf(NodeFileError);
            return;
          }
          const after = tomlValue(r.text);
          const last = new Map(edits.map(([t, k, v]) => [[...t, k].join('\u0000'), { path: [...t, k], v }]));
          for (const { path, v } of last.values()) expect(at(after, ...path)).toEqual(v);
          expectCommentsKept(text, r.text);
          const before = tomlValue(text);
          const leaves = (o: unknown, p: string[] = []): Array<[string[], unknown]> =>
            o !== null && typeof o === 'object' && !Array.isArray(o)
              ? Object.entries(o).flatMap(([k, v]) => leaves(v, [...p, k]))
              : [[p, o]];
          for (const [p, v] of leaves(before))
            if (!last.has(p.join('\u0000'))) expect(at(after, ...p)).toEqual(v);
          expect(editToml('f', r.text, settings).text).toBe(r.text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
