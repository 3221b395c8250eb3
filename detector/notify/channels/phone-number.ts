// Phone numbers as WhatsApp and SMS gateways want them: international digits without "+"
// (6281234567890). People write them every way: 0812-3456-7890, +62 812 3456 7890, (0812) 345…,
// 0062812…; an Indonesian national number (a leading 0) becomes 62….

/** What may surround the digits: spaces, dashes, dots, parentheses and one leading "+". */
const WRITTEN_PHONE = /^\+?[\d\s().-]+$/;

/** The number as international digits (8 to 15 of them, E.164), or null when it is not a phone number. */
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

/** Whether a contact looks like a phone number at all (as opposed to an e-mail address or a name). */
export function looksLikePhoneNumber(contact: string): boolean {
  return normalizePhoneNumber(contact) !== null;
}
