export const DEFAULT_CERTIFICATE_DAYS = 365;
/** Longest validity the TLS guidelines we follow accept (Mozilla: 366 days); browsers refuse > 398. */
export const MAX_ADVISED_DAYS = 366;
export const BROWSER_MAX_DAYS = 398;

/** Backdating absorbs small clock differences between this machine and clients. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** notBefore/notAfter for a certificate issued at `now` for `days` days (whole seconds, as X.509 stores). */
export function validityWindow(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  const issued = Math.floor(now.getTime() / 1000) * 1000;
  return { notBefore: new Date(issued - BACKDATE_MS), notAfter: new Date(issued + days * DAY_MS) };
}

/** A warning when `days` exceeds what the guidelines advise, else undefined. */
export function validityDaysWarning(days: number): string | undefined {
  if (days <= MAX_ADVISED_DAYS) return undefined;
  const browsers =
    days > BROWSER_MAX_DAYS
      ? `; browsers reject server certificates valid for more than ${BROWSER_MAX_DAYS} days`
      : '';
  return `certificate validity of ${days} days exceeds the advised maximum of ${MAX_ADVISED_DAYS}${browsers}`;
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}
