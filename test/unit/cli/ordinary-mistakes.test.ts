/**
 * Issue 14, ordinary mistakes: each ends in a clear error (exit 4, 5 or 130), never "unexpected
 * error" with a stack trace, and an output path that cannot be written is refused before any
 * host is contacted.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { EXIT } from '../../../src/report/index.js';
import { captureOutput, countingServer, localInventory as sharedInventory } from './support.js';

const output = captureOutput();
const tempDir = () => mkdtempSync(join(tmpdir(), 'apim-cli-mistakes-'));

/** One load balancer on 127.0.0.1:`port`, no retries (a closed or counting port answers at once). */
const localInventory = (dir: string, port: number): string =>
  sharedInventory(dir, { lb1: { address: '127.0.0.1', port } }, { ansible_ssh_retries: 0 });

function expectClear(code: number, expected: number): void {
  expect(code, output.stderr).toBe(expected);
  expect(output.stderr).not.toContain('unexpected error');
  expect(output.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
}

const stdinProps = new Map<string, PropertyDescriptor | undefined>();
function stubStdin(props: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(props)) {
    if (!stdinProps.has(key)) stdinProps.set(key, Object.getOwnPropertyDescriptor(process.stdin, key));
    Object.defineProperty(process.stdin, key, { value, configurable: true, writable: true });
  }
}
afterEach(() => {
  for (const [key, descriptor] of stdinProps) {
    if (descriptor) Object.defineProperty(process.stdin, key, descriptor);
    else delete (process.stdin as unknown as Record<string, unknown>)[key];
  }
  stdinProps.clear();
});

describe('ordinary mistakes end in a clear error', () => {
  it('refuses an unwritable --json (and --graph) before contacting any host', async () => {
    const listener = await countingServer();
    try {
      const dir = tempDir();
      const inventory = localInventory(dir, listener.port);
      const known = ['--known-hosts', join(dir, 'known_hosts')];
      for (const json of [join(dir, 'missing', 'r.json'), dir, join(inventory, 'r.json')]) {
        output.clear();
        expectClear(await main(['apply', inventory, '--check', '--json', json, ...known]), EXIT.USAGE);
        expect(output.stderr).toContain(`--json ${json}`);
      }
      output.clear();
      expectClear(
        await main(['apply', inventory, '--check', '--graph', join(dir, 'no', 'g.svg'), ...known]),
        EXIT.USAGE,
      );
      expectClear(await main(['rollback', inventory, '--json', dir, ...known]), EXIT.USAGE);
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });

  it('writes the JSON report to stdout with `--json -`, as README documents', async () => {
    const dir = tempDir();
    const inventory = localInventory(dir, 9);
    const code = await main(['apply', inventory, '--check', '--json', '-', '--known-hosts', join(dir, 'kh')]);
    expectClear(code, EXIT.UNREACHABLE);
    const report = JSON.parse(output.stdout) as { hosts: { host: string; status: string }[] };
    expect(report.hosts).toEqual([expect.objectContaining({ host: 'lb1', status: 'unreachable' })]);
    expect(output.stderr).toContain('PLAY RECAP');
  });

  it('says so when the JSON report cannot be written after the run (exit 5, recap kept)', async () => {
    const dir = tempDir();
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    // The folder is there when the path is checked and gone when the report is written.
    const server = createServer((socket) => {
      rmSync(reports, { recursive: true, force: true });
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const inventory = localInventory(dir, port);
      const json = join(reports, 'r.json');
      const code = await main(['rollback', inventory, '--json', json, '--known-hosts', join(dir, 'kh')]);
      // The host was unreachable: that outcome (3) outranks the lost report.
      expectClear(code, EXIT.UNREACHABLE);
      expect(output.stderr).toContain(`--json ${json}: the report could not be written (ENOENT)`);
      expect(output.stdout).toContain('PLAY RECAP');
    } finally {
      server.close();
    }
  });

  it('refuses a bad --hostname of certs create before making a key', async () => {
    const out = tempDir();
    expectClear(
      await main(['certs', 'create', '--hostname', 'bad host!', '--out', out, '--name', 'lb']),
      EXIT.USAGE,
    );
    expect(output.stderr).toContain('--hostname');
    expect(() => readFileSync(join(out, 'lb.key'))).toThrow();
  });

  it('-K without a terminal is a usage error naming the fix', async () => {
    stubStdin({ isTTY: false });
    const dir = tempDir();
    const listener = await countingServer();
    try {
      const inventory = localInventory(dir, listener.port);
      expectClear(
        await main(['apply', inventory, '--check', '-K', '--known-hosts', join(dir, 'kh')]),
        EXIT.USAGE,
      );
      expect(output.stderr).toContain('standard input is not a terminal');
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });

  it('Ctrl-C at the -K prompt exits 130 and contacts nothing', async () => {
    let typed: ((chunk: string) => void) | undefined;
    stubStdin({
      isTTY: true,
      setRawMode: () => process.stdin,
      setEncoding: () => process.stdin,
      resume: () => process.stdin,
      pause: () => process.stdin,
      on: (_event: string, listener: (chunk: string) => void) => {
        typed = listener;
        setImmediate(() => typed?.('\u0003'));
        return process.stdin;
      },
      off: () => process.stdin,
    });
    const dir = tempDir();
    const listener = await countingServer();
    try {
      const inventory = localInventory(dir, listener.port);
      expectClear(
        await main(['apply', inventory, '--check', '-K', '--known-hosts', join(dir, 'kh')]),
        EXIT.INTERRUPTED,
      );
      expect(output.stderr).toContain('interrupted: Ctrl-C at the BECOME password prompt');
      expect(listener.connections()).toBe(0);
    } finally {
      listener.server.close();
    }
  });

  it('wrong argument types, missing files, folders and devices are clear errors', async () => {
    const dir = tempDir();
    const inventory = localInventory(dir, 9);
    const empty = join(dir, 'empty.yml');
    writeFileSync(empty, '');
    const binary = join(dir, 'binary.yml');
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]));
    const cases: [string[], number][] = [
      [['apply', inventory, '--check', '--forks', 'abc'], EXIT.USAGE],
      [['apply', inventory, '--check', '--forks', '1.5'], EXIT.USAGE],
      [['apply', inventory, '--check', '--timeout', 'soon'], EXIT.USAGE],
      [['apply', inventory, '--check', '--keep-snapshots', '0'], EXIT.USAGE],
      [['apply', inventory, '--check', '--max-fail-percentage', '150'], EXIT.USAGE],
      [['apply', inventory, '--check', '--known-hosts', dir], EXIT.USAGE],
      [['apply', inventory, '--check', '--limit', '@' + join(dir, 'nope')], EXIT.USAGE],
      [['apply', inventory, '--check', '--limit', 'nosuchhost'], EXIT.USAGE],
      [['certs', 'create', '--hostname', 'a.test', '--days', '1.5'], EXIT.USAGE],
      [['certs', 'create', '--hostname', 'a.test', '--out', inventory], EXIT.USAGE],
      [['render', inventory, '--out', inventory], EXIT.USAGE],
      [['validate', join(dir, 'nope.yml')], EXIT.INVALID_INPUT],
      [['validate', inventory, dir], EXIT.INVALID_INPUT],
      [['validate', inventory, '/dev/null'], EXIT.INVALID_INPUT],
      [['validate', inventory, empty], EXIT.INVALID_INPUT],
      [['validate', binary], EXIT.INVALID_INPUT],
      [['validate', inventory, binary], EXIT.INVALID_INPUT],
      [['render', empty], EXIT.INVALID_INPUT],
    ];
    for (const [argv, expected] of cases) {
      output.clear();
      const code = await main(argv);
      expect(code, `${argv.join(' ')}: ${output.stderr}`).toBe(expected);
      expect(output.stderr, argv.join(' ')).not.toContain('unexpected error');
    }
  });
});

describe('undefined variables are checked against the hosts a play runs on', () => {
  it('a variable only the play hosts define is not reported for hosts outside the play', async () => {
    const dir = tempDir();
    const inventory = localInventory(dir, 9);
    mkdirSync(join(dir, 'host_vars'));
    writeFileSync(join(dir, 'host_vars', 'lb1.yml'), 'site_banner: hello\n');
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates', 'banner.j2'), '{{ site_banner }}\n');
    const playbook = join(dir, 'play.yml');
    writeFileSync(
      playbook,
      [
        '- name: banner',
        '  hosts: loadbalancers',
        '  tasks:',
        '    - template: { src: banner.j2, dest: /etc/nginx/banner.txt }',
        '',
      ].join('\n'),
    );
    const code = await main(['validate', inventory, playbook]);
    expect(code, output.stdout + output.stderr).toBe(EXIT.OK);
    expect(output.stdout + output.stderr).not.toContain("undefined variable 'site_banner'");
    // Run on every host, the node without the variable is named.
    writeFileSync(playbook, readFileSync(playbook, 'utf8').replace('hosts: loadbalancers', 'hosts: all'));
    output.clear();
    expect(await main(['validate', inventory, playbook])).toBe(EXIT.INVALID_INPUT);
    expect(output.stdout + output.stderr).toContain("undefined variable 'site_banner'");
    expect(output.stdout + output.stderr).toContain('for host apim1');
  });
});
