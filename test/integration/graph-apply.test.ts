/**
 * `apply --check --graph FILE` with the real, built CLI against the lab: the picture of a real
 * check run shows what would change on the reachable load balancer (a conf.d file no earlier run
 * wrote, so the result does not depend on the host's state) and marks an unreachable one, while the
 * host is left as it was. Uses lb-apply in check mode only: nothing there changes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Lab } from '../../src/lab/index.js';
import { svgTexts } from '../unit/graph/support.js';
import { applyLab } from './support/cli.js';
import { closedPort } from './support/faults.js';
import { getLab, labRun } from './support/lab.js';

const LB = 'lb-apply';
const CONF_FILE = 'graph-check.conf';

let lab: Lab;
let inventory: string;
let work: string;

beforeAll(async () => {
  lab = await getLab();
  inventory = lab.inventoryFor('active-active', {
    loadBalancers: [LB],
    vars: { apim_conf_file: CONF_FILE },
    fileName: 'graph-check.yml',
  });
  // A second load balancer nobody answers for: the picture must say it was not reached.
  const doc = parse(readFileSync(inventory, 'utf8')) as {
    all: { children: { loadbalancers: { hosts: Record<string, Record<string, unknown>> } } };
  };
  const hosts = doc.all.children.loadbalancers.hosts;
  hosts['lb-gone'] = { ...hosts[LB], ansible_port: await closedPort(), ansible_timeout: 2 };
  writeFileSync(inventory, stringify(doc));
  work = mkdtempSync(join(tmpdir(), 'apim-graph-apply-'));
});

describe('apply --check --graph on the lab', () => {
  it('draws what would change on lb-apply and that lb-gone was unreachable; changes nothing', async () => {
    const before = await labRun(
      lab,
      LB,
      `ls -la /etc/nginx/conf.d 2>&1; ls /etc/nginx/conf.d/${CONF_FILE} 2>&1 || :`,
      true,
    );
    const svgFile = join(work, 'plan.svg');
    const run = await applyLab(inventory, lab.knownHostsFile, ['--check', '--graph', svgFile]);
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toMatch(/unreachable: \[lb-gone\]/);

    const texts = svgTexts(readFileSync(svgFile, 'utf8'));
    expect(texts).toContain(LB);
    expect(texts).toContain('WOULD CHANGE');
    expect(texts).toContain('configuration');
    expect(texts).toContain(`create /etc/nginx/conf.d/${CONF_FILE}`);
    expect(texts).toContain('reload');
    expect(texts.filter((t) => t === 'new').length).toBeGreaterThan(0);
    expect(texts).toContain('lb-gone');
    expect(texts.some((t) => t.startsWith('UNREACHABLE'))).toBe(true);
    expect(texts.some((t) => t.includes('apply --check would change'))).toBe(true);
    // The picture shows the nginx the run planned lb-apply's file for: the installed one, or
    // apt's candidate (known), or, when the host told neither, an assumed one; lb-gone's is assumed.
    const told = await labRun(lab, LB, 'nginx -v 2>&1; apt-cache policy nginx', true);
    const version = /nginx\/(\S+)|Candidate: (?:\d+:)?(\d+\.\d+\.\d+)/.exec(told);
    const lbLine = texts.find((t) => /^nginx \d/.test(t) && texts.indexOf(t) < texts.indexOf('lb-gone'));
    if (version) expect(lbLine).toBe(`nginx ${version[1] ?? version[2]}`);
    else expect(lbLine).toMatch(/^nginx \S+ \(assumed, not read from the host\)$/);
    expect(texts.filter((t) => t.endsWith('(assumed, not read from the host)'))).toHaveLength(
      version ? 1 : 2,
    );

    // The same run as Mermaid text, for Markdown.
    const mmdFile = join(work, 'plan.mmd');
    const again = await applyLab(inventory, lab.knownHostsFile, ['--check', '--graph', mmdFile]);
    expect(again.exitCode, again.all).toBe(3);
    const mermaid = readFileSync(mmdFile, 'utf8');
    expect(mermaid).toMatch(/^---\ntitle: /);
    expect(mermaid).toContain(`configuration: create /etc/nginx/conf.d/${CONF_FILE}`);

    const after = await labRun(
      lab,
      LB,
      `ls -la /etc/nginx/conf.d 2>&1; ls /etc/nginx/conf.d/${CONF_FILE} 2>&1 || :`,
      true,
    );
    expect(after).toBe(before);
  });
});
