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

/** What may surround a phone number's digits: spaces, dashes, dots, parentheses and one leading "+". */
const WRITTEN_PHONE = /^\+?[\d\s().-]+$/;

/**
 * A phone number as WhatsApp and SMS gateways want it: international digits without "+" (8 to 15,
 * E.164). People write them every way — `0812-3456-7890`, `+62 812 3456 7890`, `(0812) 345…`,
 * `0062812…` —; an Indonesian national number (a leading 0) becomes `62…`. Null when it is not one.
 */
export function normalizePhoneNumber(written: string): string | null {
  const trimmed = written.trim();
  if (!WRITTEN_PHONE.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) {
    // +62 0812… (a national 0 kept after the country code) is a common slip.
    if (digits.startsWith('620')) digits = `62${digits.slice(3)}`;
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2);
  } else if (digits.startsWith('0')) {
    digits = `62${digits.slice(1)}`;
  }
  if (digits.startsWith('0') || digits.length < 8 || digits.length > 15) return null;
  return digits;
}

export function contactKind(contact: string): ContactKind {
  if (EMAIL.test(contact.trim())) return 'email';
  return normalizePhoneNumber(contact) ? 'phone' : 'other';
}
