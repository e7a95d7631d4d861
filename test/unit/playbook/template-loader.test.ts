import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderTemplateFile, TemplateError } from '../../../src/playbook/template.js';

/**
 * Layout: <root>/tpl holds the templates; <root>/tpl-evil is a sibling whose name starts with
 * "tpl"; <root>/outside holds a file no template may read.
 */
let root: string;
let tpl: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'apim-loader-'));
  tpl = join(root, 'tpl');
  for (const dir of ['tpl/parts', 'tpl-evil', 'outside', 'real-tpl'])
    mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'outside', 'secret.j2'), 'OUTSIDE-SECRET');
  writeFileSync(join(root, 'tpl-evil', 'secret.j2'), 'SIBLING-SECRET');
  writeFileSync(join(tpl, 'part.j2'), 'part {{ name }}');
  writeFileSync(join(tpl, 'parts', 'deep.j2'), 'deep');
  writeFileSync(join(tpl, 'macros.j2'), '{% macro hi(n) %}hi {{ n }}{% endmacro %}');
  writeFileSync(join(tpl, 'base.j2'), '[{% block body %}{% endblock %}]');
  symlinkSync(join(root, 'outside', 'secret.j2'), join(tpl, 'link-out.j2'));
  symlinkSync(join(root, 'outside'), join(tpl, 'dir-out'));
  symlinkSync(join(tpl, 'part.j2'), join(tpl, 'link-in.j2'));
  execFileSync('mkfifo', [join(tpl, 'fifo.j2')]);
  writeFileSync(join(root, 'real-tpl', 'part.j2'), 'real part');
  symlinkSync(join(root, 'real-tpl'), join(root, 'linked-tpl'));
});

function render(body: string, dir = tpl): string {
  const file = join(dir, `main-${Math.random().toString(36).slice(2)}.j2`);
  writeFileSync(file, body);
  return String(renderTemplateFile(file, { name: 'lb1' }));
}

function refusal(body: string): string {
  try {
    render(body);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/OUTSIDE-SECRET|SIBLING-SECRET/);
    return message;
  }
  throw new Error(`expected ${body} to be refused`);
}

describe('template includes stay inside the template folder', () => {
  it('includes, imports and extends files of the folder and its subfolders', () => {
    expect(render('{% include "part.j2" %}|{% include "parts/deep.j2" %}|{% include "./part.j2" %}')).toBe(
      'part lb1|deep|part lb1',
    );
    expect(render('{% import "macros.j2" as m %}{{ m.hi("x") }}')).toBe('hi x');
    expect(render('{% extends "base.j2" %}{% block body %}b{% endblock %}')).toBe('[b]');
    expect(render('{% include "link-in.j2" %}')).toBe('part lb1');
  });

  it('follows a template folder that is itself a symbolic link', () => {
    expect(render('{% include "part.j2" %}', join(root, 'linked-tpl'))).toBe('real part');
  });

  it.each([
    [
      'a sibling folder whose name starts with the folder name',
      '../tpl-evil/secret.j2',
      'outside that folder',
    ],
    ['a parent folder', '../outside/secret.j2', 'outside that folder'],
    ['an absolute path', `/etc/passwd`, 'outside that folder'],
    ['a symbolic link to a file outside', 'link-out.j2', 'symbolic link'],
    ['a file under a symbolic link to a folder outside', 'dir-out/secret.j2', 'symbolic link'],
    ['a path that leaves and comes back', 'parts/../../tpl-evil/secret.j2', 'outside that folder'],
    ['a missing file', 'nope.j2', 'cannot be read (ENOENT)'],
  ])('refuses %s', (_what, name, reason) => {
    const message = refusal(`{% include "${name}" %}`);
    expect(message).toContain(`cannot include '${name}'`);
    expect(message).toContain(reason);
    expect(message).toContain(`its own folder ${tpl} only`);
  });

  it('refuses an absolute path to the sibling folder and a computed name', () => {
    expect(refusal(`{% include "${join(root, 'tpl-evil', 'secret.j2')}" %}`)).toContain(
      'outside that folder',
    );
    expect(refusal(`{% set n = "../tpl-" ~ "evil/secret.j2" %}{% include n %}`)).toContain(
      'outside that folder',
    );
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    expect(refusal('{% include "fifo.j2" %}')).toContain('a FIFO (named pipe), not a regular file');
    expect(() => renderTemplateFile(join(tpl, 'fifo.j2'), {})).toThrow(
      /template is a FIFO \(named pipe\), not a regular file: .*fifo\.j2/,
    );
  });
});
