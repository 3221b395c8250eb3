// Certificate expiry arithmetic, shared by the http and tls probes so both count days alike.
import type { ProbeEvidence } from './probe-types.js';

const DAY_MS = 86_400_000;

/** Whole days from `now` until `validTo`, rounded down: 0 on the last day, negative once expired. */
export function daysLeft(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
}

/** A peer certificate's `valid_to` ("Mar  2 03:04:05 2027 GMT") as a Date; undefined when absent or unreadable. */
export function parseCertificateDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface CertificateExpiry {
  evidence: Pick<ProbeEvidence, 'tlsExpiresAt' | 'tlsDaysLeft'>;
  /** Why the certificate counts as expiring soon; undefined when it does not (or is not checked). */
  expiringReason?: string;
}

/** Evidence of when the certificate expires, and whether that is sooner than `minDaysValid` allows. */
export function judgeCertificateExpiry(validTo: Date | undefined, now: Date, minDaysValid: number | null): CertificateExpiry {
  if (validTo === undefined) return { evidence: {} };
  const days = daysLeft(validTo, now);
  const evidence = { tlsExpiresAt: validTo.toISOString(), tlsDaysLeft: days };
  if (minDaysValid === null || days >= minDaysValid) return { evidence };
  const when = days < 0 ? 'has expired' : `expires in ${days} ${days === 1 ? 'day' : 'days'}`;
  return { evidence, expiringReason: `certificate ${when} (${evidence.tlsExpiresAt}), under the ${minDaysValid}-day minimum` };
}
