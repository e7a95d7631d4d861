/**
 * Issue 14, templates with bounded resources: a catastrophic regular expression, a huge width, a
 * loop that multiplies its output and a macro calling itself each end in a clear error naming the
 * place, quickly, instead of hanging or exhausting the controller's memory. And `validate`
 * applies the sandbox's static check to inventory values only playbook templates read.
 */
import { describe, expect, it } from 'vitest';
import { renderString, TemplateError } from '../../../src/playbook/template.js';
import { lineOf, loadText, singleNodeWith } from '../inventory/helpers.js';

const AT = { file: 'site.yml', line: 12, column: 7 };

function refusal(text: string): TemplateError {
  try {
    renderString(text, { items: ['a', 'b'] }, AT);
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error(`rendered: ${text}`);
}

describe('template resource bounds', () => {
  it.each([
    [`{{ '${'a'.repeat(40)}!' | regex_replace('(a+)+$', 'b') }}`, 'nested repetition'],
    [`{{ 'x' | regex_replace('(x|x?)*y', '') }}`, 'nested repetition'],
    ["{{ 'x' | center(1000000000) }}", 'center() wider than'],
    ["{{ 'x' | indent(1000000000) }}", 'indent() wider than'],
    ["{% for i in range(100000) %}{{ 'x' | center(1000) }}{% endfor %}", 'writing more than'],
    ['{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}', 'nested more than 64 deep'],
    // Python's sequence repetition, bounded like the text and lists a template makes otherwise.
    ["{{ 'x' * 1000000000 }}", 'a repeated text of more than'],
    ['{{ [0] * 1000000000 }}', 'a repeated list of more than'],
  ])(
    '%s: %s',
    (text, message) => {
      const started = Date.now();
      const err = refusal(text);
      expect(err.message).toContain(message);
      expect(err.message).toContain('site.yml:12:7');
      expect(Date.now() - started).toBeLessThan(10_000);
    },
    20_000,
  );

  it('keeps ordinary templates working', () => {
    expect(renderString("{{ 'ab' | regex_replace('(a)b', '\\\\1c') }}", {}, AT)).toBe('ac');
    expect(renderString("{{ 'x' | center(5) }}", {}, AT)).toBe('  x  ');
    expect(
      renderString(
        '{% macro f(n) %}{{ n }}{% if n < 3 %}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(1) }}',
        {},
        AT,
      ),
    ).toBe('123');
  });
});

describe('validate checks templated inventory values no tool setting reads', () => {
  const inventory = (value: string) => singleNodeWith({ site_banner: value });

  it('refuses a value reaching JavaScript internals, with file and line', () => {
    const text = inventory('{{ range.constructor("return process")() }}');
    const r = loadText(text);
    const d = r.diagnostics.find((x) => x.message.startsWith('site_banner: template refused'));
    expect(d).toMatchObject({ severity: 'error', file: r.file, line: lineOf(text, 'site_banner') });
  });

  it('warns (not fails) on a syntax error in a value only a playbook may read', () => {
    const r = loadText(inventory('{{ unterminated '));
    const d = r.diagnostics.find((x) => x.message.startsWith('site_banner: template syntax error'));
    expect(d?.severity).toBe('warning');
  });
});
