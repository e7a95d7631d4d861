/**
 * Every golden variant that this machine's nginx can load is checked by the real `nginx -t`, with a
 * real certificate, the log folders and the files (the nodes' trusted CA) the renderer lists.
 * Variants for newer nginx (sticky cookie, `http2 on`) are checked by the lab tests on newer
 * distributions. NGINX Plus variants are compared with their golden files only: real NGINX Plus
 * (health_check, the API) exists on no machine here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxVersionAtLeast, renderConfig } from '../../src/patterns/index.js';
import { goldenVariants } from '../golden/cases.js';

const NGINX = '/usr/sbin/nginx';

function requireNginx(): string {
  if (!existsSync(NGINX)) {
    throw new Error(
      `${NGINX} not found: install nginx (e.g. \`apt-get install nginx-light\`) to run this test`,
    );
  }
  const out = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  const m = /nginx\/(\d+\.\d+\.\d+)/.exec(`${out.stderr}${out.stdout}`);
  if (!m?.[1]) throw new Error(`cannot read the version from \`${NGINX} -v\`: ${out.stderr}`);
  return m[1];
}

const localVersion = requireNginx();
const checkable = goldenVariants().filter(
  (v) => v.options.edition === 'oss' && nginxVersionAtLeast(localVersion, v.requiredNginxVersion),
);

let root: string;
let cert: string;
let key: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'apim-nginx-syntax-'));
  cert = join(root, 'lb.crt');
  key = join(root, 'lb.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=api.am.wso2.com',
    ],
    { stdio: 'pipe' },
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A throw-away nginx prefix: nginx.conf including conf.d, every path inside the prefix. */
function stagePrefix(name: string): string {
  const prefix = join(root, name);
  mkdirSync(join(prefix, 'conf.d'), { recursive: true });
  mkdirSync(join(prefix, 'temp'), { recursive: true });
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/error.log;`,
      'events {}',
      'http {',
      '    include /etc/nginx/mime.types;',
      `    access_log ${prefix}/access.log;`,
      `    client_body_temp_path ${prefix}/temp/body;`,
      `    proxy_temp_path ${prefix}/temp/proxy;`,
      `    fastcgi_temp_path ${prefix}/temp/fastcgi;`,
      `    uwsgi_temp_path ${prefix}/temp/uwsgi;`,
      `    scgi_temp_path ${prefix}/temp/scgi;`,
      `    include ${prefix}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  return prefix;
}

function nginxTest(prefix: string): { status: number | null; output: string } {
  const r = spawnSync(
    NGINX,
    ['-t', '-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')],
    { encoding: 'utf8' },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe(`nginx -t with the local nginx ${localVersion}`, () => {
  it('has golden variants old enough for this nginx', () => {
    expect(checkable.length).toBeGreaterThan(0);
  });

  it.each(checkable.map((v) => [v.file, v] as const))('accepts %s', (file, v) => {
    const prefix = stagePrefix(file);
    const d = { ...v.case.deployment, tlsPaths: { certificate: cert, key } };
    const rendered = renderConfig(d, { ...v.options, confPrefix: prefix });
    expect(rendered.path).toBe(join(prefix, 'conf.d', 'apim.conf'));
    for (const dir of rendered.directories) mkdirSync(dir, { recursive: true });
    for (const f of rendered.files) writeFileSync(f.path, f.content);
    mkdirSync(dirname(rendered.path), { recursive: true });
    writeFileSync(rendered.path, rendered.content);
    const result = nginxTest(prefix);
    expect(result.output).toContain('test is successful');
    // "conflicting server name" is a warning nginx passes, but it means a block is ignored.
    expect(result.output).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(result.status).toBe(0);
  });

  it('refuses a broken file (the check can fail)', () => {
    const v = checkable[0];
    if (!v) throw new Error('no checkable variant');
    const prefix = stagePrefix('broken');
    const rendered = renderConfig(
      { ...v.case.deployment, tlsPaths: { certificate: cert, key } },
      { ...v.options, confPrefix: prefix },
    );
    for (const dir of rendered.directories) mkdirSync(dir, { recursive: true });
    // The docs' 4.x Traffic Manager defect: one closing brace missing.
    writeFileSync(rendered.path, rendered.content.replace(/}\n$/, '\n'));
    const result = nginxTest(prefix);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unexpected end of file/);
  });

  it('refuses a file whose log folders were not created', () => {
    const v = checkable[0];
    if (!v) throw new Error('no checkable variant');
    const prefix = stagePrefix('no-log-dirs');
    const rendered = renderConfig(
      { ...v.case.deployment, tlsPaths: { certificate: cert, key } },
      { ...v.options, confPrefix: prefix },
    );
    writeFileSync(rendered.path, rendered.content);
    const result = nginxTest(prefix);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/No such file or directory/);
  });
});
