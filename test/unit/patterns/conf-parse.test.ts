import { describe, expect, it } from 'vitest';
import { parseConf } from './conf-parse.js';

/** The test helper must itself catch what it is used to catch. */
describe('test helper parseConf', () => {
  it('parses blocks, directives, comments and quotes', () => {
    const conf = parseConf(
      `# c\nhttp {\n  map $a $b { default x; '' y; }\n  add_header X "a;b" always; # tail\n}\n`,
    );
    expect(conf).toEqual([
      {
        name: 'http',
        args: [],
        children: [
          {
            name: 'map',
            args: ['$a', '$b'],
            children: [
              { name: 'default', args: ['x'] },
              { name: "''", args: ['y'] },
            ],
          },
          { name: 'add_header', args: ['X', '"a;b"', 'always'] },
        ],
      },
    ]);
  });

  it('refuses unbalanced braces and unterminated directives', () => {
    expect(() => parseConf('server {\n listen 80;\n')).toThrow(/missing "}"/);
    expect(() => parseConf('listen 80; }')).toThrow(/unexpected "}"/);
    expect(() => parseConf('listen 80')).toThrow(/not terminated/);
  });
});
