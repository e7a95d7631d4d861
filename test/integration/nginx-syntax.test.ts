/**
 * Every golden variant is checked by the real `nginx -t`, with a real certificate, the log folders
 * and the files (the nodes' trusted CA) the renderer lists: here with this machine's nginx (the
 * variants it can load), and on both lab load balancers with the distributions' nginx (bookworm
 * 1.22 and sid 1.30: every variant each can load). NGINX Plus variants are compared with their
 * golden files only: real NGINX Plus (health_check, the API) exists on no machine here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxVersionAtLeast, renderConfig } from '../../src/patterns/index.js';
import { goldenVariants } from '../golden/cases.js';
import { getLab, labRun } from './support/lab.js';

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

/** A shell script that stages each variant under /tmp/apim-syntax/<variant> and runs nginx -t on it. */
function remoteSyntaxScript(variants: ReturnType<typeof goldenVariants>): string {
  const root = '/tmp/apim-syntax';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const lines = [
    'set -u',
    `rm -rf ${root} && mkdir -p ${root}`,
    `openssl req -x509 -newkey rsa:2048 -nodes -keyout ${root}/lb.key -out ${root}/lb.crt -days 2 -subj /CN=api.am.wso2.com >/dev/null 2>&1`,
  ];
  for (const v of variants) {
    const prefix = `${root}/${v.file}`;
    const d = { ...v.case.deployment, tlsPaths: { certificate: `${root}/lb.crt`, key: `${root}/lb.key` } };
    const rendered = renderConfig(d, { ...v.options, confPrefix: prefix });
    const nginxConf = [
      `pid ${prefix}/nginx.pid;`,
      'events {}',
      'http {',
      '    include /etc/nginx/mime.types;',
      `    access_log ${prefix}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `    ${t}_temp_path ${prefix}/temp/${t};`,
      ),
      `    include ${prefix}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n');
    const put = (path: string, content: string) => `echo ${b64(content)} | base64 -d > ${path}`;
    lines.push(
      `mkdir -p ${prefix}/conf.d ${prefix}/temp ${rendered.directories.join(' ')}`,
      put(`${prefix}/nginx.conf`, nginxConf),
      ...rendered.files.map((f) => put(f.path, f.content)),
      put(rendered.path, rendered.content),
      `out=$(/usr/sbin/nginx -t -p ${prefix}/ -c ${prefix}/nginx.conf -e ${prefix}/error.log 2>&1); rc=$?`,
      `printf '@@ %s %s\\n%s\\n' ${v.file} "$rc" "$out"`,
    );
  }
  lines.push(`rm -rf ${root}`);
  return lines.join('\n');
}

describe.each(['lb-bookworm', 'lb-sid'])('nginx -t on the lab load balancer %s', (lb) => {
  it('accepts every golden variant its nginx can load, without a warning', async () => {
    const lab = await getLab();
    // The distribution's nginx, as the tool installs it (the pattern suites reset the host anyway).
    await labRun(
      lab,
      lb,
      'command -v nginx >/dev/null || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; }',
      true,
    );
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(
      (await lab.exec(lb, 'nginx -v', { root: true })).stderr,
    )?.[1];
    if (!version) throw new Error(`${lb}: cannot read the nginx version`);
    const variants = goldenVariants().filter(
      (v) => v.options.edition === 'oss' && nginxVersionAtLeast(version, v.requiredNginxVersion),
    );
    // Bookworm loads the 1.22.1 variants; sid every Community variant.
    expect(variants.length).toBe(
      goldenVariants().filter(
        (v) => v.options.edition === 'oss' && (lb === 'lb-sid' || v.requiredNginxVersion === '1.22.1'),
      ).length,
    );
    const result = await lab.exec(lb, 'sh -s', { stdin: remoteSyntaxScript(variants) });
    const reports = result.stdout.split(/^@@ /m).slice(1);
    expect(reports).toHaveLength(variants.length);
    for (const report of reports) {
      const [head = '', ...output] = report.split('\n');
      const [file, rc] = head.split(' ');
      const text = output.join('\n');
      expect(text, `${file} on ${lb} (nginx ${version})`).toContain('test is successful');
      // 1.22.1 variants on 1.30 use `listen ... http2`, deprecated there: the only warning allowed.
      const warnings = text
        .split('\n')
        .filter(
          (l) => /\[(warn|emerg)\]/.test(l) && !/"listen \.\.\. http2" directive is deprecated/.test(l),
        );
      expect(warnings, `${file} on ${lb}`).toEqual([]);
      expect(rc, `${file} on ${lb}`).toBe('0');
    }
  });
});
