import { describe, expect, it } from 'vitest';
import {
  expectedContent,
  normaliseMode,
  planDirectory,
  planFile,
  planRetirement,
  sha256,
  stagingProblem,
} from '../../../src/engine/desired-state.js';
import type { DesiredFile } from '../../../src/modules/index.js';

const desired: DesiredFile = {
  path: '/etc/nginx/conf.d/apim.conf',
  content: Buffer.from('server {}\n'),
  mode: '0644',
  owner: 'root',
  group: 'root',
  secret: false,
};

describe('planFile', () => {
  it('creates a missing file', () => {
    expect(planFile(desired, { exists: false })).toMatchObject({ action: 'create', target: desired.path });
    expect(planFile(desired, undefined)?.action).toBe('create');
  });

  it('reports nothing when content, mode and owner match', () => {
    const fact = {
      exists: true as const,
      type: 'file' as const,
      sha256: sha256(desired.content),
      mode: '0644',
      owner: 'root',
      group: 'root',
      size: 10,
    };
    expect(planFile(desired, fact)).toBeUndefined();
  });

  it('names every difference', () => {
    const fact = {
      exists: true as const,
      type: 'file' as const,
      sha256: 'x',
      mode: '0600',
      owner: 'www-data',
      group: 'root',
      size: 1,
    };
    const change = planFile(desired, fact);
    expect(change?.action).toBe('update');
    expect(change?.summary).toBe('content, mode 0600 -> 0644, owner www-data:root -> root:root');
  });

  it('marks secrets so no diff or content is ever shown', () => {
    expect(planFile({ ...desired, secret: true }, { exists: false })?.secret).toBe(true);
  });

  it('replaces a folder standing where a file must be', () => {
    const fact = {
      exists: true as const,
      type: 'directory' as const,
      mode: '0755',
      owner: 'root',
      group: 'root',
      size: 0,
    };
    expect(planFile(desired, fact)?.summary).toMatch(/replace directory/);
  });
});

describe('planDirectory and planRetirement', () => {
  it('creates, fixes modes, and leaves a matching folder alone', () => {
    const dir = { path: '/etc/nginx/ssl', mode: '0700', owner: 'root', group: 'root' };
    expect(planDirectory(dir, { exists: false })?.action).toBe('create');
    const same = {
      exists: true as const,
      type: 'directory' as const,
      mode: '0700',
      owner: 'root',
      group: 'root',
      size: 0,
    };
    expect(planDirectory(dir, same)).toBeUndefined();
    expect(planDirectory(dir, { ...same, mode: '0755' })?.summary).toBe('mode 0755 -> 0700');
  });

  it('deletes only what exists', () => {
    expect(planRetirement('/x', 'apim_lb_config', { exists: false })).toBeUndefined();
    expect(
      planRetirement('/x', 'apim_lb_config', {
        exists: true,
        type: 'file',
        mode: '0644',
        owner: 'root',
        group: 'root',
        size: 1,
      }),
    ).toEqual({
      kind: 'file',
      action: 'remove',
      target: '/x',
      summary: 'no longer managed by apim_lb_config',
    });
  });
});

describe('expectedContent and stagingProblem: links are replaced, never followed', () => {
  const at = (type: 'file' | 'directory' | 'link' | 'other') =>
    ({
      exists: true,
      type,
      mode: '0644',
      owner: 'root',
      group: 'root',
      size: 1,
      sha256: 'f'.repeat(64),
    }) as const;
  it('expects a sha256, absent or link; a folder or device cannot be replaced by a file', () => {
    expect(expectedContent(undefined)).toBe('absent');
    expect(expectedContent({ exists: false })).toBe('absent');
    expect(expectedContent(at('file'))).toBe('f'.repeat(64));
    expect(expectedContent(at('link'))).toBe('link');
    expect(expectedContent(at('directory'))).toBeUndefined();
    expect(stagingProblem('file', '/x', at('link'))).toBeUndefined();
    expect(stagingProblem('file', '/x', at('directory'))).toMatch(/not a regular file/);
    expect(stagingProblem('directory', '/d', at('link'))).toMatch(/symbolic link.*not followed/);
    expect(planFile(desired, at('link'))).toMatchObject({
      action: 'update',
      summary: 'replace link with a file',
    });
  });
});

describe('normaliseMode', () => {
  it.each([
    ['644', '0644'],
    ['0644', '0644'],
    ['0o600', '0600'],
    ['00644', '0644'],
    ['2755', '2755'],
  ])('%s -> %s', (input, out) => {
    expect(normaliseMode(input)).toBe(out);
  });
});
