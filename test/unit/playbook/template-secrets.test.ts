import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/domain/secret.js';
import {
  evaluateWhen,
  renderArgs,
  renderString,
  renderTemplateFile,
  renderValue,
  withLazyTemplates,
} from '../../../src/playbook/template.js';

const PW = 'Hunter2-pass';
const vars = {
  pw: new Secret(PW),
  user: 'admin',
  passwords: [new Secret('first-pw-1'), new Secret('second-pw-2')],
  creds: { user: 'admin', pw: new Secret(PW) },
  hostvars: { lb1: { ansible_host: '10.0.0.1', ansible_password: new Secret(PW) } },
  names: ['a', 'b'],
};

/** Every printable form of a value: none may hold the secret or anything computed from it. */
function printed(value: unknown): string {
  return [String(value), JSON.stringify(value), inspect(value, { depth: 5 })].join('\n');
}

function secretOf(value: unknown): string {
  expect(value).toBeInstanceOf(Secret);
  return (value as Secret).reveal();
}

describe('values computed from a secret stay secret', () => {
  // Each template's real result, computed from the secret by a filter, method, operator or branch.
  it.each([
    ['{{ pw }}', PW],
    ['{{ pw | upper }}', PW.toUpperCase()],
    ['{{ pw | lower }}', PW.toLowerCase()],
    ['{{ pw | reverse }}', [...PW].reverse().join('')],
    ['{{ pw | b64encode }}', Buffer.from(PW).toString('base64')],
    ['{{ pw | replace("a", "4") }}', PW.replace(/a/g, '4')],
    ['{{ pw | list | join("-") }}', [...PW].join('-')],
    ['{{ pw | first }}{{ pw | last }}', `${PW[0]}${PW[PW.length - 1]}`],
    ['{{ pw | title }}', 'Hunter2-pass'],
    ['{{ pw | string }}', PW],
    ['{{ pw | quote }}', PW],
    ['{{ pw | to_json }}', JSON.stringify(PW)],
    ['{{ pw | regex_replace("[0-9]", "#") }}', PW.replace(/[0-9]/g, '#')],
    ['{{ pw | truncate(5, true, "") }}', PW.slice(0, 5)],
    ['{{ pw.upper() }}', PW.toUpperCase()],
    ['{{ pw.split("-") | join("+") }}', PW.split('-').join('+')],
    ['{{ pw[0] }}{{ pw[-1] }}', `${PW[0]}${PW[PW.length - 1]}`],
    ['user={{ user }} pass={{ pw ~ "!" }}', `user=admin pass=${PW}!`],
    ['{{ "x" + pw }}', `x${PW}`],
    ['{{ pw | length }}', String(PW.length)],
    ['{% if pw | length > 5 %}long{% else %}short{% endif %}', 'long'],
    ['{% if pw == "Hunter2-pass" %}match{% endif %}', 'match'],
    ['{{ "yes" if pw else "no" }}', 'yes'],
    ['{% set p = pw %}{{ p }}', PW],
    ['{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(pw) }}', `<${PW}>`],
    ['{% for p in passwords %}{{ p }};{% endfor %}', 'first-pw-1;second-pw-2;'],
    ['{% for k, v in creds.items() %}{{ k }}={{ v }};{% endfor %}', `user=admin;pw=${PW};`],
    ['{% for k, v in creds | dictsort %}{{ v }};{% endfor %}', `${PW};admin;`],
    ['{{ creds.get("pw") ~ "" }}', PW],
    ['{{ creds | to_json }}', `{"user": "admin", "pw": "${PW}"}`],
    ['{{ creds.values() | join(",") }}', `admin,${PW}`],
    ['{{ hostvars["lb1"].ansible_password | upper }}', PW.toUpperCase()],
    ['{{ hostvars.lb1["ansible_" ~ "password"] }}', PW],
    ['{{ "Hunter" in pw }}', 'true'],
    ['{{ passwords | join(" ") }}', 'first-pw-1 second-pw-2'],
  ])('%s is a Secret', (template, real) => {
    const result = renderValue(template, vars);
    expect(secretOf(result)).toBe(real);
    expect(printed(result)).not.toContain(PW);
    expect(printed(result)).not.toContain(real);
    expect(String(result)).toBe(Secret.PLACEHOLDER);
  });

  it('keeps the structure of whole values, every item made secret', () => {
    const list = renderValue('{{ [pw, user] }}', vars) as unknown[];
    expect(list.map(secretOf)).toEqual([PW, 'admin']);
    expect(printed(list)).not.toContain(PW);
    // Reading a dictionary that holds a secret reveals nothing: the secret stays the Secret it was.
    const host = renderValue('{{ hostvars.lb1 }}', vars) as Record<string, unknown>;
    expect(host.ansible_host).toBe('10.0.0.1');
    expect(host.ansible_password).toBeInstanceOf(Secret);
  });

  it('taints through lazily templated variables and module arguments', () => {
    const lazy = withLazyTemplates({
      ...vars,
      db_url: 'mysql://{{ user }}:{{ pw }}@db',
      db_url_upper: '{{ db_url | upper }}',
      plain: 'host-{{ user }}',
    });
    expect(secretOf(renderString('{{ db_url_upper }}', lazy))).toBe(`MYSQL://ADMIN:${PW.toUpperCase()}@DB`);
    expect(renderString('{{ plain }}', lazy)).toBe('host-admin');
    const args = renderArgs(
      { cmd: 'login -p {{ db_url }}', name: 'x {{ plain }}', list: ['{{ pw }}', 'a'] },
      lazy,
    );
    expect(secretOf(args.cmd)).toBe(`login -p mysql://admin:${PW}@db`);
    expect(args.name).toBe('x host-admin');
    expect(secretOf((args.list as unknown[])[0])).toBe(PW);
    expect((args.list as unknown[])[1]).toBe('a');
    expect(printed(args)).not.toContain(PW);
  });

  it('does not taint what provably does not depend on the secret', () => {
    expect(renderString('{% if pw is defined %}set{% endif %}', vars)).toBe('set');
    expect(renderString('{{ pw is defined }}/{{ nope is undefined }}', vars)).toBe('True/True');
    expect(renderString('{% if pw is not defined %}unset{% else %}set{% endif %}', vars)).toBe('set');
    expect(renderString('{{ user | upper }}', vars)).toBe('ADMIN');
    expect(renderString('{{ creds.user }}', vars)).toBe('admin');
    expect(renderString('{{ hostvars.lb1.ansible_host }}', vars)).toBe('10.0.0.1');
    // A secret that is also used for its value taints, even if it is tested too.
    expect(renderString('{% if pw is defined %}{{ pw }}{% endif %}', vars)).toBeInstanceOf(Secret);
  });

  it('decides conditions on secrets without making them secret', () => {
    expect(evaluateWhen('pw == "Hunter2-pass"', vars)).toBe(true);
    expect(evaluateWhen('pw | length > 100', vars)).toBe(false);
    expect(evaluateWhen('passwords[0].startswith("first")', vars)).toBe(true);
    // `or`/`and` hand the operand on: still the secret's value, still deciding only.
    expect(evaluateWhen('(pw or "x") == "Hunter2-pass"', vars)).toBe(true);
  });

  it('reads a braced condition rendered from a secret as the expression, and never quotes it', () => {
    expect(evaluateWhen('{{ flag }}', { flag: new Secret('false') })).toBe(false);
    expect(evaluateWhen('{{ flag }}', { flag: new Secret('1 == 1') })).toBe(true);
    // Hunter2-pass is no expression (`Hunter2 - pass`, two undefined variables): the whole message
    // is this sentence, so the secret is not in it.
    expect(() => evaluateWhen('{{ pw }}', vars)).toThrow(
      /^the condition, rendered from a secret, is not an expression \(the error is not shown: it could quote the secret\)$/,
    );
  });

  it('makes a template file that used a secret secret, and leaves others alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apim-taint-'));
    writeFileSync(join(dir, 'secret.j2'), 'user={{ user }}\npassword={{ pw | b64encode }}\n');
    writeFileSync(join(dir, 'part.j2'), 'key={{ pw }}');
    writeFileSync(join(dir, 'includes.j2'), 'x\n{% include "part.j2" %}\n');
    writeFileSync(join(dir, 'plain.j2'), 'user={{ user }}\n{% if pw is defined %}auth on{% endif %}\n');
    const secret = renderTemplateFile(join(dir, 'secret.j2'), vars);
    expect(secretOf(secret)).toBe(`user=admin\npassword=${Buffer.from(PW).toString('base64')}\n`);
    expect(secretOf(renderTemplateFile(join(dir, 'includes.j2'), vars))).toBe(`x\nkey=${PW}\n`);
    expect(renderTemplateFile(join(dir, 'plain.j2'), vars)).toBe('user=admin\nauth on\n');
  });

  it('fails a render that read a secret with its position only, never its message', () => {
    for (const template of [
      '{{ names.index(pw | upper) }}',
      '{{ pw | upper | regex_replace("(", "") }}',
      '{% for c in pw | upper %}{{ c.a.b }}{% endfor %}',
    ]) {
      let message = '';
      try {
        renderString(template, vars);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, template).toContain('after reading a secret; the error is not shown');
      expect(message).not.toContain(PW.toUpperCase());
    }
    expect(() => evaluateWhen('names.index(pw | reverse) > 0', vars)).toThrow(/after reading a secret/);
    // Errors of renders that read no secret keep their message.
    expect(() => renderString('{{ names.index("zz") }}', vars)).toThrow(
      'index(): the item is not in the list',
    );
  });
});
