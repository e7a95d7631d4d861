import type { CertificateMetadata, Change } from '../engine/types.js';
import { paint, type Style } from './ansi.js';

const ADDING: ReadonlySet<Change['action']> = new Set(['create', 'install', 'start']);
const REMOVING: ReadonlySet<Change['action']> = new Set(['delete', 'remove', 'stop']);

function markerOf(action: Change['action']): { mark: string; style: Style } {
  if (ADDING.has(action)) return { mark: '+', style: 'green' };
  if (REMOVING.has(action)) return { mark: '-', style: 'red' };
  return { mark: '~', style: 'yellow' };
}

/**
 * One change for humans: `  ~ /etc/nginx/conf.d/apim.conf: update (mode 0644)`; with `diff`, followed
 * by the unified diff, the certificate's metadata (never its PEM), or a note that the content is secret.
 * The text is not redacted here: the reporters scrub everything they write.
 */
export function renderChange(change: Change, options: { diff: boolean; color: boolean }): string {
  const { mark, style } = markerOf(change.action);
  const summary = change.summary ? ` (${change.summary})` : '';
  const lines = [paint(style, `  ${mark} ${change.target}: ${change.action}${summary}`, options.color)];
  if (options.diff) {
    if (change.secret) lines.push('    (content hidden: secret)');
    else if (change.certificate) lines.push(renderCertificate(change.certificate));
    else if (change.diff) lines.push(colorDiff(change.diff.replace(/\n$/, ''), options.color));
  }
  return lines.join('\n');
}

export function renderCertificate(cert: CertificateMetadata): string {
  const rows: [string, string][] = [
    ['subject', cert.subject],
    ['issuer', cert.issuer],
    ['SANs', cert.sans.length > 0 ? cert.sans.join(', ') : '(none)'],
    ['not before', cert.notBefore],
    ['not after', cert.notAfter],
    ['SHA-256', cert.fingerprintSha256],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return [
    '    certificate:',
    ...rows.map(([label, value]) => `      ${`${label}:`.padEnd(width)} ${value}`),
  ].join('\n');
}

function colorDiff(diff: string, color: boolean): string {
  if (!color) return diff;
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return paint('bold', line, true);
      if (line.startsWith('@@')) return paint('cyan', line, true);
      if (line.startsWith('+')) return paint('green', line, true);
      if (line.startsWith('-')) return paint('red', line, true);
      return line;
    })
    .join('\n');
}
