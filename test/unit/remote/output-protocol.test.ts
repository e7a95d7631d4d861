import { describe, expect, it } from 'vitest';
import { Records, decodeText, encodeValue, formatRecord, parseProtocol } from '../../../src/remote/index.js';

describe('output protocol', () => {
  it('round-trips base64 values with spaces, newlines and non-ASCII text', () => {
    const value = 'line one\nline two with  spaces\n\tünïcode ✓\n';
    const out = [
      'human text before',
      formatRecord('message', encodeValue(value)),
      formatRecord('status', 'committed'),
      formatRecord('empty', ''),
    ].join('\n');
    const parsed = parseProtocol(`${out}\r\n`);
    expect(parsed.text).toEqual(['human text before']);
    expect(parsed.records.map((r) => r.key)).toEqual(['message', 'status', 'empty']);
    const r = new Records(parsed);
    expect(r.text('message')).toBe(value);
    expect(r.get('status')).toBe('committed');
    expect(r.get('empty')).toBe('');
    expect(decodeText(encodeValue(''))).toBe('');
    expect(r.messages()).toEqual([value, 'human text before']);
  });

  it('reads plain text records: `=`, then the text with its newlines written \\n', () => {
    const r = Records.parse(
      '@@APIM os_release =NAME="Debian GNU/Linux"\\nID=debian\\n\n@@APIM user =\n@@APIM tabbed =a\tb  \n',
    );
    expect(r.text('os_release')).toBe('NAME="Debian GNU/Linux"\nID=debian\n');
    expect(r.text('user')).toBe('');
    expect(r.text('tabbed')).toBe('a\tb  ');
    // Base64 never starts with `=`: a base64 value is still base64.
    expect(decodeText(encodeValue('=x'))).toBe('=x');
  });

  it('keeps the last value of a repeated key and all values on demand', () => {
    const r = Records.parse('@@APIM conflict a\n@@APIM conflict b\n@@APIM flag 1\n');
    expect(r.get('conflict')).toBe('b');
    expect(r.all('conflict')).toEqual(['a', 'b']);
    expect(r.flag('flag')).toBe(true);
    expect(r.flag('missing')).toBe(false);
  });

  it('treats look-alike lines as human text and refuses multi-line values', () => {
    const parsed = parseProtocol('@@APIMX status 1\n  @@APIM status 1\n@@APIM Bad-Key 1');
    expect(parsed.records).toEqual([]);
    expect(parsed.text).toHaveLength(3);
    expect(() => formatRecord('status', 'a\nb')).toThrow(/single-line/);
  });
});
