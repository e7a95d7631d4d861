import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  factsScript,
  installScript,
  opsScript,
  parseFacts,
  parseOpsResult,
  sha256Hex,
  transactionScript,
} from '../../../src/remote/index.js';
import { sedPattern, sedReplacement } from '../../../src/remote/shell.js';
import { singleQuote } from '../../../src/transport/shell-quote.js';
import { scriptInputs } from '../../support/script-input.js';
import { baseTransaction, installs } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'apim-quoting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ODD = [
  "it's",
  'a b',
  '$(touch pwned)',
  '`id`',
  'back\\slash',
  'tab\there',
  '*glob?',
  'semi;colon',
  '"dq"',
  'ünï',
];

/** Text of a program outside the given input values (what a reviewer, or a log, would see). */
function outside(script: string, names: string[]): string {
  const inputs = scriptInputs(script);
  return names.reduce((text, name) => text.replace(singleQuote(inputs[name] ?? ''), `'<${name}>'`), script);
}

describe('shell quoting', () => {
  it.each(ODD)('singleQuote passes %j through sh unchanged', (value) => {
    const out = execFileSync('sh', ['-c', `printf '%s' ${singleQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it('sed escapes keep odd paths literal', () => {
    const from = '/etc/ng.inx[1]/a*b#c$';
    const to = '/st&ge/#x\\y/';
    const out = execFileSync('sed', ['-e', `s#${sedPattern(from)}#${sedReplacement(to)}#g`], {
      input: `include ${from}x.conf; other /etc/ngXinx[1]/a*b#c$;`,
      encoding: 'utf8',
    });
    expect(out).toBe(`include ${to}x.conf; other /etc/ngXinx[1]/a*b#c$;`);
  });

  it('facts handle paths with spaces, quotes and shell syntax', () => {
    const paths = ODD.map((name) => join(dir, `${name}.conf`));
    paths.forEach((p, i) => writeFileSync(p, `content ${i}\n`));
    const missing = join(dir, "missing $(x) 'q'");
    const facts = parseFacts(
      execFileSync('sh', ['-s'], {
        input: factsScript({
          queries: [
            ...[...paths, missing].map((path) => ({ kind: 'file' as const, path })),
            { kind: 'content', path: paths[0]! },
            { kind: 'content', path: missing },
          ],
          stateDir: join(dir, 'state'),
          probeSysvServices: false,
        }),
        encoding: 'utf8',
        cwd: dir,
      }),
    );
    paths.forEach((p, i) =>
      expect(facts.files[p]).toMatchObject({
        exists: true,
        type: 'file',
        sha256: sha256Hex(`content ${i}\n`),
      }),
    );
    expect(facts.files[missing]).toEqual({ exists: false });
    expect(facts.contents[paths[0]!]?.toString()).toBe('content 0\n');
    expect(facts.contents[missing]).toBeNull();
    // `$(touch pwned)` in a path name was never executed (the scripts ran with this cwd)
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('ops pass every argument to the program as it is: no shell ever reads them', () => {
    const out = execFileSync('sh', ['-s'], {
      input: opsScript([{ op: 'exec', argv: ['printf', '%s|', ...ODD, ''] }]),
      encoding: 'utf8',
      cwd: dir,
    });
    const result = parseOpsResult(out, '');
    expect(result.ok).toBe(true);
    expect(result.results[0]?.stdout).toBe(`${ODD.join('|')}||`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('secrets stay inside the payload', () => {
  it('transaction: key content only appears in its payload input', () => {
    const script = transactionScript(baseTransaction);
    const key = baseTransaction.files[1]!.content.toString();
    expect(scriptInputs(script).APIM_PAYLOAD_1).toBe(key);
    expect(outside(script, ['APIM_PAYLOAD_1'])).not.toContain('SECRET');
    expect(outside(script, ['APIM_PAYLOAD_1'])).not.toContain('BEGIN PRIVATE KEY');
    // nothing prints a payload: it is only ever written into a file
    expect(script).toContain('apim_put_content "@APIM_PAYLOAD_$apim_wi_i" >"$WORK/payload/$apim_wi_i"');
    expect(script).toContain('apim_b64dec >"$WORK/payload/$apim_wi_i"');
    expect(script).not.toMatch(/set -x|set -o xtrace/);
  });

  it('install: repository key, certificate and JWT never appear outside the payload', () => {
    const spec = {
      ...installs['apt-plus']!,
      plus: {
        repoCertPem: 'CERT-MATERIAL-123',
        repoKeyPem: 'KEY-MATERIAL-456',
        jwt: 'eyJ.JWT-789',
        keepRepoCredentials: false,
      },
    };
    const script = installScript(spec);
    const rest = outside(script, ['APIM_PLUS_CERT', 'APIM_PLUS_KEY', 'APIM_PLUS_JWT']);
    for (const secret of ['CERT-MATERIAL-123', 'KEY-MATERIAL-456', 'JWT-789']) {
      expect(script).not.toContain(secret);
      expect(rest).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
    }
    expect(script).not.toMatch(/set -x|set -o xtrace/);
  });
});
