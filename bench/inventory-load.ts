/**
 * Inventory loading benchmark (issue 12/14): how long apim-provision takes to load and validate
 * large inventories with group_vars/host_vars, side by side with the real ansible-inventory on the
 * same files, and what a 50 MB inventory costs. Each measurement runs in a fresh process so that
 * time and peak memory (maxRSS) are its own. Writes bench/INVENTORY-RESULTS.md.
 *
 *   npx tsx bench/inventory-load.ts [--sizes 1000,5000,40000] [--runs 3] [--no-ansible] [--out FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

interface One {
  ms: number;
  maxRssMb: number;
  hosts: number;
  errors: number;
  firstError?: string;
}

/** A generated inventory: N API-M nodes in 10 site groups under apim_all_in_one, 2 load balancers. */
function generate(dir: string, hosts: number): string {
  const lines = [
    'all:',
    '  vars:',
    '    apim_version: "4.x"',
    '    apim_pattern: active-active',
    '  children:',
    '    loadbalancers:',
    '      hosts:',
    '        lb1: { ansible_host: 198.51.100.10 }',
    '        lb2: { ansible_host: 198.51.100.11 }',
    '    apim_all_in_one:',
    '      children:',
  ];
  const sites = 10;
  for (let s = 0; s < sites; s++) {
    lines.push(`        site${s}:`, '          hosts:');
    for (let i = s; i < hosts; i += sites) {
      const n = i + 1;
      lines.push(
        `            node${n}: { ansible_host: 10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}, rack: r${n % 40} }`,
      );
    }
  }
  writeFileSync(join(dir, 'inventory.yml'), `${lines.join('\n')}\n`);
  mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true });
  writeFileSync(
    join(dir, 'group_vars', 'all', 'main.yml'),
    'ansible_user: deploy\nansible_become: true\nsupport: ops@example.com\n',
  );
  writeFileSync(join(dir, 'group_vars', 'loadbalancers.yml'), 'apim_websocket: true\ntls_days: 365\n');
  for (let s = 0; s < sites; s++)
    writeFileSync(join(dir, 'group_vars', `site${s}.yml`), `site_name: site${s}\nntp: ntp${s}.example.com\n`);
  mkdirSync(join(dir, 'host_vars'));
  // One host in ten has its own host_vars file.
  for (let n = 1; n <= hosts; n += 10)
    writeFileSync(join(dir, 'host_vars', `node${n}.yml`), `apim_port_offset: ${n % 5}\n`);
  return join(dir, 'inventory.yml');
}

/** A YAML inventory of about `mb` megabytes (one group, long host lines). */
function generateHuge(dir: string, mb: number): string {
  const file = join(dir, `huge-${mb}mb.yml`);
  const chunks = [
    'all:\n  vars:\n    apim_pattern: active-active\n  children:\n    loadbalancers:\n      hosts:\n        lb1: { ansible_host: 198.51.100.10 }\n    apim_all_in_one:\n      hosts:\n',
  ];
  let size = chunks[0]!.length;
  for (let n = 1; size < mb * 1024 * 1024; n++) {
    const line = `        node${n}: { ansible_host: 10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}, note: "${'x'.repeat(60)}" }\n`;
    chunks.push(line);
    size += line.length;
  }
  writeFileSync(file, chunks.join(''));
  return file;
}

/** One load in this process: the measured part. */
async function measureHere(file: string): Promise<void> {
  const { loadInventory } = await import('../src/inventory/load-inventory.js');
  const started = performance.now();
  const r = loadInventory(file, { env: { HOME: tmpdir() }, sshConfigFiles: [] });
  const ms = performance.now() - started;
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const one: One = {
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    hosts: r.inventory?.hosts.size ?? 0,
    errors: errors.length,
    ...(errors[0] ? { firstError: `${errors[0].message}` } : {}),
  };
  process.stdout.write(JSON.stringify(one));
}

function measureApim(file: string): One {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file],
    {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(out) as One;
}

function measureAnsible(file: string, config: string): One | undefined {
  const started = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', 'ansible-inventory', '-i', file, '--list', '--output', '/dev/null'],
    {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_NOCOLOR: '1' },
    },
  );
  const ms = performance.now() - started;
  if (r.error || r.status !== 0) return undefined;
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, maxRssMb: kb / 1024, hosts: 0, errors: 0 };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args[0] === '--one') return measureHere(args[1]!);
  const sizes = (opt('--sizes') ?? '1000,5000,40000').split(',').map(Number);
  const runs = Number(opt('--runs') ?? 3);
  const withAnsible =
    !args.includes('--no-ansible') &&
    spawnSync('ansible-inventory', ['--version']).status === 0 &&
    spawnSync('/usr/bin/time', ['true']).status === 0;
  const outFile = opt('--out') ?? join(here, 'INVENTORY-RESULTS.md');
  const work = mkdtempSync(join(tmpdir(), 'apim-bench-inv-'));
  const loadBefore = loadavg()[0]!;
  const rows: string[] = [];
  try {
    for (const size of sizes) {
      const dir = join(work, `n${size}`);
      mkdirSync(dir);
      const file = generate(dir, size);
      const ours = Array.from({ length: runs }, () => measureApim(file));
      if (ours[0]!.errors > 0) throw new Error(`${size} hosts: ${ours[0]!.firstError}`);
      const config = join(dir, 'ansible.cfg');
      writeFileSync(config, '[defaults]\n');
      const theirs = withAnsible
        ? Array.from({ length: runs }, () => measureAnsible(file, config)).filter((x): x is One => !!x)
        : [];
      const oursMs = median(ours.map((o) => o.ms));
      const theirsMs = theirs.length > 0 ? median(theirs.map((t) => t.ms)) : undefined;
      rows.push(
        `| ${size.toLocaleString('en')} hosts (+2 LBs), ${Math.round(statSync(file).size / 1024)} KiB + ${Math.ceil(size / 10) + 12} vars files | ${(oursMs / 1000).toFixed(2)} s | ${median(ours.map((o) => o.maxRssMb)).toFixed(0)} MB | ${
          theirsMs !== undefined
            ? `${(theirsMs / 1000).toFixed(2)} s, ${median(theirs.map((t) => t.maxRssMb)).toFixed(0)} MB | ${(theirsMs / oursMs).toFixed(1)}x`
            : '- | -'
        } |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
    }
    const hugeRows: string[] = [];
    for (const mb of [15, 50]) {
      const file = generateHuge(work, mb);
      const one = measureApim(file);
      const outcome =
        one.errors > 0 ? `refused: ${one.firstError}` : `loaded ${one.hosts.toLocaleString('en')} hosts`;
      hugeRows.push(
        `| ${mb} MB YAML (${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB) | ${(one.ms / 1000).toFixed(2)} s | ${one.maxRssMb.toFixed(0)} MB | ${outcome} |`,
      );
      process.stderr.write(`${hugeRows.at(-1)}\n`);
      rmSync(file);
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    writeFileSync(
      outFile,
      [
        '# Inventory loading: results',
        '',
        `Made by \`npx tsx bench/inventory-load.ts\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpu}, Node ${process.version};`,
        `load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (a shared machine: other work slows both tools alike).`,
        `Median of ${runs} runs, each in a fresh process (time of loadInventory: parsing, group_vars/host_vars, precedence,`,
        "validation of every variable apim-provision reads; peak RSS of the whole process). ansible-inventory (Debian's",
        'ansible-core) reads the same files with `--list` (whole command, Python start-up included).',
        '',
        '| inventory | apim-provision load + validate | peak RSS | ansible-inventory --list | ratio |',
        '|---|---|---|---|---|',
        ...rows,
        '',
        'Before this rewrite loading was quadratic in the number of hosts (40,000 hosts took 44 s).',
        '',
        '## Very large files (issue 14)',
        '',
        'Every input file is read through one reader with a 16 MiB cap: a larger file is refused before it is',
        'read (only its size is looked at); a file under the cap is loaded in bounded time and memory.',
        '',
        '| file | time | peak RSS | outcome |',
        '|---|---|---|---|',
        ...hugeRows,
        '',
      ].join('\n'),
    );
    process.stderr.write(`wrote ${outFile}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await run();
