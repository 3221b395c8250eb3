// The citizen or staff member who reported a manual incident: how the report came in (DESIGN §9
// `reportedVia`) and what their contact is, so the notification planner can tell whether an
// e-mail or a phone channel can reach them (SOP-Insiden-003: the reporter is told when it is fixed).

/** How a report came in; `lapor` is SP4N-LAPOR!, the national complaints service. */
export const REPORTED_VIA = ['phone', 'whatsapp', 'email', 'walk_in', 'lapor', 'social_media', 'other'] as const;
export type ReportedVia = (typeof REPORTED_VIA)[number];

/** What the API assumes when a script logs a manual incident without saying how it came in. */
export const DEFAULT_REPORTED_VIA: ReportedVia = 'other';

/** How far back the time of a report may be given (a report taken down later the same week). */
export const MAX_REPORT_AGE_MS = 7 * 86_400_000;

export type ContactKind = 'email' | 'phone' | 'other';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An Indonesian phone number in international form without `+` (WhatsApp Cloud API style):
 * `0812-3456-789`, `+62 812 3456 789` and `62812…` all give `628123456789`. Null when it is not one.
 */
export function normalisePhone(contact: string): string | null {
  const compact = contact.trim().replace(/[\s().-]/g, '');
  if (!/^\+?\d{8,15}$/.test(compact)) return null;
  const digits = compact.replace(/^\+/, '');
  if (digits.startsWith('0')) return `62${digits.slice(1)}`;
  return digits;
}

export function contactKind(contact: string): ContactKind {
  if (EMAIL.test(contact.trim())) return 'email';
  return normalisePhone(contact) ? 'phone' : 'other';
}
