/** `apim-provision graph` in-process: formats, files, --host, exit codes; and `apply --graph` usage checks. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRunGraph } from '../../../src/cli/commands/graph.js';
import { main } from '../../../src/cli/main.js';
import { Secret } from '../../../src/domain/secret.js';
import { toMermaid } from '../../../src/graph/index.js';
import { EXIT, Redactor } from '../../../src/report/index.js';
import { captureOutput } from '../cli/support.js';
import { failed, firstInstall, summary } from './run-fixtures.js';
import { exampleGraph, loadExample, svgTexts } from './support.js';

const output = captureOutput();

const SINGLE = 'inventories/single-node.yml';
const TWO_LBS = 'inventories/with-group-vars/inventory.yml';
const tempDir = () => mkdtempSync(join(tmpdir(), 'apim-graph-'));

describe('apim-provision graph', () => {
  it('prints the SVG by default, contacting nothing', async () => {
    expect(await main(['graph', SINGLE])).toBe(EXIT.OK);
    expect(output.stdout).toMatch(/^<\?xml/);
    expect(svgTexts(output.stdout)).toContain('api.am.wso2.com');
    expect(output.stderr).toBe('');
  });

  it('prints Mermaid and DOT text with --format, for the nginx version given', async () => {
    expect(
      await main([
        'graph',
        'inventories/active-active.yml',
        '--format',
        'mermaid',
        '--nginx-version',
        '1.30.0',
      ]),
    ).toBe(EXIT.OK);
    expect(output.stdout).toBe(toMermaid(exampleGraph('inventories/active-active.yml', '1.30.0')));
    expect(output.stdout).toContain('sticky: Community #gt;= 1.29.6');
    output.clear();
    expect(await main(['graph', SINGLE, '--format', 'dot'])).toBe(EXIT.OK);
    expect(output.stdout).toMatch(/^digraph "apim-deployment" \{/);
  });

  it('prints the warnings render prints (the ip_hash fallback) on output.stderr', async () => {
    expect(await main(['graph', 'inventories/active-active.yml', '--format', 'dot'])).toBe(EXIT.OK);
    expect(output.stderr).toMatch(/^\[WARNING\] lb1: .*ip_hash/m);
  });

  it('writes --out FILE in the format its extension names, unless --format says otherwise', async () => {
    const dir = tempDir();
    expect(await main(['graph', SINGLE, '--out', join(dir, 'a.mmd')])).toBe(EXIT.OK);
    expect(readFileSync(join(dir, 'a.mmd'), 'utf8')).toMatch(/^---\ntitle: /);
    expect(output.stderr).toContain(`wrote ${join(dir, 'a.mmd')} (mermaid, 1 load balancer(s))`);
    expect(await main(['graph', SINGLE, '--out', join(dir, 'b.gv')])).toBe(EXIT.OK);
    expect(readFileSync(join(dir, 'b.gv'), 'utf8')).toMatch(/^digraph/);
    expect(await main(['graph', SINGLE, '--out', join(dir, 'c.dot'), '--format', 'svg'])).toBe(EXIT.OK);
    expect(readFileSync(join(dir, 'c.dot'), 'utf8')).toMatch(/^<\?xml/);
    expect(await main(['graph', SINGLE, '--out', join(dir, 'picture')])).toBe(EXIT.OK);
    expect(readFileSync(join(dir, 'picture'), 'utf8')).toMatch(/^<\?xml/);
    expect(output.stdout).toBe('');
  });

  it('draws only the load balancer --host names', async () => {
    expect(await main(['graph', TWO_LBS, '--host', 'lb2', '--format', 'mermaid'])).toBe(EXIT.OK);
    expect(output.stdout).toContain('lb2 198.51.100.61');
    expect(output.stdout).not.toContain('lb1 198.51.100.60');
  });

  it('exits 5 for bad usage: unknown load balancer, format, extension or version', async () => {
    const dir = tempDir();
    expect(await main(['graph', SINGLE, '--host', 'nope'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain(`no load balancer named 'nope' in ${SINGLE}`);
    expect(await main(['graph', SINGLE, '--format', 'png'])).toBe(EXIT.USAGE);
    expect(await main(['graph', SINGLE, '--out', join(dir, 'x.png')])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain(
      'name the file .svg, .mmd, .mermaid, .dot, .gv, or say which format with --format',
    );
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
    expect(await main(['graph', SINGLE, '--nginx-version', '1.30'])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain("--nginx-version must look like 1.22.1, not '1.30'");
    expect(output.stderr).not.toContain('unexpected error');
  });

  it('exits 4 for an invalid inventory, naming file, line and key', async () => {
    const dir = tempDir();
    const file = join(dir, 'inventory.yml');
    writeFileSync(
      file,
      'all:\n  children:\n    loadbalancers:\n      vars:\n        apim_pattern: activeactive\n      hosts:\n        lb1: {}\n',
    );
    expect(await main(['graph', file])).toBe(EXIT.INVALID_INPUT);
    expect(output.stderr).toContain(file);
    expect(output.stderr).toMatch(/5:9 +error +apim_pattern "activeactive" is not a known pattern/);
    expect(output.stdout).toBe('');
  });

  it('refuses a picture path it cannot write before drawing (exit 5, no stack trace)', async () => {
    const out = join(tempDir(), 'missing', 'folder', 'x.svg');
    expect(await main(['graph', SINGLE, '--out', out])).toBe(EXIT.USAGE);
    expect(output.stderr).toContain(`--out ${out}: cannot be created: its folder`);
    expect(output.stderr).not.toContain('    at ');
  });
});

describe('apim-provision apply --graph', () => {
  it('refuses a picture file it cannot write in a known format before reading anything (exit 5)', async () => {
    // The inventory does not exist: reading it would exit 4, so 5 proves nothing was read or contacted.
    expect(await main(['apply', '/nonexistent/inventory.yml', '--check', '--graph', 'plan.png'])).toBe(
      EXIT.USAGE,
    );
    expect(output.stderr).toContain(
      '--graph plan.png: name the picture file .svg, .mmd, .mermaid, .dot, .gv',
    );
  });

  it('writes the run picture scrubbed of secrets, in the format of its extension', async () => {
    const dir = tempDir();
    const redactor = new Redactor();
    redactor.add(new Secret('s3cret-become-pw'));
    const run = summary(true, [failed('lb1', 'sudo said: s3cret-become-pw is wrong'), firstInstall('lb2')]);
    for (const file of ['plan.svg', 'plan.mmd', 'plan.dot']) {
      expect(await writeRunGraph(join(dir, file), loadExample(TWO_LBS), TWO_LBS, run, redactor)).toBe(true);
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain('s3cret-become-pw');
      expect(text).toContain('FAILED: sudo said: ******** is wrong');
    }
    expect(readFileSync(join(dir, 'plan.svg'), 'utf8')).toMatch(/^<\?xml/);
    expect(readFileSync(join(dir, 'plan.mmd'), 'utf8')).toMatch(/^---/);
    expect(readFileSync(join(dir, 'plan.dot'), 'utf8')).toMatch(/^digraph/);
    expect(
      await writeRunGraph(join(dir, 'no', 'such', 'plan.svg'), loadExample(TWO_LBS), TWO_LBS, run, redactor),
    ).toBe(false);
    expect(output.stderr).toContain('cannot write the picture to');
  });
});
