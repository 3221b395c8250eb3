// How pages write dates, durations and percentages: dates in the office time zone, in the page's
// language (Indonesian by default).
import type { Language } from '../i18n.js';
import type { SlaDuration, SlaTarget } from '../../detector/sla/due-times.js';

export interface Formatters {
  dateTime: (d: Date | null) => string;
  lang: Language;
  /** Service key → name, where a route knows them: pages show a service by its name. */
  serviceNames?: ReadonlyMap<string, string>;
}

/** Dates and times as a page in `lang` shows them, in the office time zone. */
export function formattersFor(lang: Language, timezone: string): Formatters {
  const dateTime = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return { dateTime: (d) => (d ? dateTime.format(d) : '—'), lang };
}

const UNITS: Record<Language, Array<[number, string]>> = {
  id: [
    [86_400_000, 'hari'],
    [3_600_000, 'jam'],
    [60_000, 'menit'],
  ],
  en: [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
  ],
};

export function formatDuration(ms: number, lang: Language): string {
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [size, unit] of UNITS[lang]) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && size === 60_000)) parts.push(`${n} ${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

const WORKING_DAYS: Record<Language, (n: number) => string> = {
  id: (n) => `${n} hari kerja`,
  en: (n) => (n === 1 ? '1 working day' : `${n} working days`),
};

/**
 * An SLA target as people read it: "5 hari kerja" / "5 working days" on a business clock, where
 * hours stay hours ("24 jam" of office time, never "1 hari"); "4 jam", "2 hari" on 24x7.
 */
export function formatSlaDuration(duration: SlaDuration, clock: SlaTarget['clock'], lang: Language): string {
  if (clock === '24x7') return formatDuration(duration.days * 86_400_000 + duration.ms, lang);
  const hours = Math.floor(duration.ms / 3_600_000);
  const officeTime =
    hours > 0 ? `${hours} ${UNITS[lang][1]![1]}${duration.ms % 3_600_000 > 0 ? ` ${formatDuration(duration.ms % 3_600_000, lang)}` : ''}` : formatDuration(duration.ms, lang);
  if (duration.days === 0) return officeTime;
  return duration.ms > 0 ? `${WORKING_DAYS[lang](duration.days)} ${officeTime}` : WORKING_DAYS[lang](duration.days);
}

const percentFormats: Record<Language, Intl.NumberFormat> = {
  id: new Intl.NumberFormat('id-ID', { style: 'percent', maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 2 }),
};

/** 0.99951 → "99,95%" (id) / "99.95%" (en); truncated, so an outage never rounds up to 100%. */
export function formatPercent(ratio: number | null, lang: Language): string | null {
  if (ratio === null) return null;
  return percentFormats[lang].format(Math.floor(ratio * 10_000) / 10_000);
}

/** Bar colour by availability; no data is its own (grey) class. */
export function ratioClass(ratio: number | null): string {
  if (ratio === null) return 'ratio-none';
  if (ratio >= 0.999) return 'ratio-good';
  if (ratio >= 0.99) return 'ratio-fair';
  if (ratio >= 0.95) return 'ratio-poor';
  return 'ratio-bad';
}
