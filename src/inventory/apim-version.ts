import { APIM_VERSIONS, type ApimVersion } from '../domain/types.js';

/**
 * Maps what users write (`3.x`, 3.2, "4.2.0", 4) to the documentation layout. 2.6 has its own
 * layout; 3.0 to 3.2 share the 3.x layout; every 4.* release uses the 4.x layout.
 */
export function apimVersionLayout(written: unknown): ApimVersion | undefined {
  if (typeof written !== 'string' && typeof written !== 'number') return undefined;
  const text = String(written).trim();
  if ((APIM_VERSIONS as readonly string[]).includes(text)) return text as ApimVersion;
  const m = /^(\d+)(?:\.(\d+|x))?(?:\.\d+)?$/.exec(text);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = m[2];
  if (major === 2 && minor === '6') return '2.6';
  if (major === 3 && (minor === undefined || minor === 'x' || ['0', '1', '2'].includes(minor))) return '3.x';
  if (major === 4) return '4.x';
  return undefined;
}
