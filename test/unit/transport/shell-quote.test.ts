import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { shellQuote, singleQuote } from '../../../src/transport/shell-quote.js';

/** What `sh` makes of the quoted word: the round trip through a real shell. */
function throughShell(values: string[]): string[] {
  const script = values.map((value) => `printf '%s\\0' ${shellQuote(value)}`).join('\n');
  const output = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
  return output.split('\0').slice(0, -1);
}

/** Deterministic pseudo-random strings over an alphabet full of shell metacharacters. */
function randomStrings(count: number): string[] {
  const alphabet = ` \t\n'"\\$\`!*?[]{}()<>|&;#~=%,.-_/aZ9é✓`;
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: next() % 24 }, () => [...alphabet][next() % [...alphabet].length]).join(''),
  );
}

describe('shellQuote', () => {
  it('leaves plain words readable and quotes everything else', () => {
    expect(shellQuote('nginx')).toBe('nginx');
    expect(shellQuote('/etc/nginx/conf.d/apim.conf')).toBe('/etc/nginx/conf.d/apim.conf');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('A=1')).toBe(`'A=1'`);
  });

  it('round-trips quotes, newlines and metacharacters through sh -c', () => {
    const cases = [
      '',
      ' ',
      `'`,
      `''`,
      `"`,
      `it's "quoted"`,
      'line 1\nline 2\n',
      '$HOME `id` $(id) ${x}',
      'back\\slash\\',
      '*',
      '-n',
      '; rm -rf / #',
      'tab\there',
      'unicode ✓ é',
    ];
    expect(throughShell(cases)).toEqual(cases);
  });

  it('round-trips random strings through sh -c', () => {
    const cases = randomStrings(200);
    expect(throughShell(cases)).toEqual(cases);
  });

  it('singleQuote quotes even plain words; both refuse NUL, which no shell word can hold', () => {
    expect(singleQuote('nginx')).toBe(`'nginx'`);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => singleQuote('a\0b')).toThrow(/NUL/);
  });
});
