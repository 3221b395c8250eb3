// The reports as CSV for the office's spreadsheets, one pure function per report, used by the API
// downloads and the monthly e-mail alike. By default what Excel with Indonesian regional settings
// opens in columns: `;` between fields, Indonesian headers, percentages with a decimal comma,
// durations in whole minutes, times in the office time zone with its zone (2026-11-03 14:05 WIB).
// `sep: ','` and `lang: 'en'` give the international form (decimal dot). csv.ts writes the file
// (byte-order mark, RFC 4180 quoting, CRLF, formulas kept as text).
import type { ReportedVia } from '../incidents/reporter.js';
import { wallClock } from '../sla/business-calendar.js';
import type { DailyAvailability } from './availability.js';
import { toCsv, type CsvSeparator, type CsvValue } from './csv.js';
import type { IncidentReport, IncidentReportRow, SlaClock, TargetOutcome } from './incident-report.js';

export type CsvLanguage = 'id' | 'en';

export interface ReportCsvOptions {
  sep: CsvSeparator;
  lang: CsvLanguage;
  timezone: string;
}

export const DEFAULT_CSV_OPTIONS = { sep: ';', lang: 'id' } as const satisfies Omit<ReportCsvOptions, 'timezone'>;

// Indonesia's three zones by their official abbreviations; anywhere else, the UTC offset.
const ZONE_NAMES: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Ujung_Pandang': 'WITA',
  'Asia/Jayapura': 'WIT',
};

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-03 14:05 WIB`: the office's wall clock to the minute, with the zone. */
export function csvTime(at: Date | string | null, timezone: string): string | null {
  if (at === null) return null;
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const wall = wallClock(t, timezone);
  const local = new Date(wall).toISOString();
  const zone = ZONE_NAMES[timezone] ?? utcOffset(Math.round((wall - t) / 60_000));
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${zone}`;
}

function utcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A ratio as a percentage with two decimals: `99,52` in Indonesian, `99.52` in English. */
export function csvPercent(ratio: number | null, lang: CsvLanguage): string | null {
  if (ratio === null) return null;
  const text = (ratio * 100).toFixed(2);
  return lang === 'id' ? text.replace('.', ',') : text;
}

/** Milliseconds as whole minutes. */
export const csvMinutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 60_000));

const WORDS = {
  id: {
    clock: { business: 'jam kerja', '24x7': '24 jam' } satisfies Record<SlaClock, string>,
    outcome: { met: 'terpenuhi', breached: 'terlampaui', running: 'berjalan' } satisfies Record<TargetOutcome, string>,
    status: { new: 'Baru', assigned: 'Ditangani', escalated: 'Dieskalasi', pending: 'Menunggu', resolved: 'Diselesaikan', closed: 'Ditutup', canceled: 'Dibatalkan' },
    reportedVia: {
      phone: 'telepon',
      whatsapp: 'WhatsApp',
      email: 'surel',
      walk_in: 'datang langsung',
      lapor: 'SP4N-LAPOR!',
      social_media: 'media sosial',
      other: 'lainnya',
    } satisfies Record<ReportedVia, string>,
  },
  en: {
    clock: { business: 'business hours', '24x7': '24x7' } satisfies Record<SlaClock, string>,
    outcome: { met: 'met', breached: 'breached', running: 'running' } satisfies Record<TargetOutcome, string>,
    status: { new: 'New', assigned: 'Assigned', escalated: 'Escalated', pending: 'Pending', resolved: 'Resolved', closed: 'Closed', canceled: 'Canceled' },
    reportedVia: {
      phone: 'phone',
      whatsapp: 'WhatsApp',
      email: 'e-mail',
      walk_in: 'walk-in',
      lapor: 'SP4N-LAPOR!',
      social_media: 'social media',
      other: 'other',
    } satisfies Record<ReportedVia, string>,
  },
} as const;

type Column<T> = [id: string, en: string, value: (row: T, o: ReportCsvOptions) => CsvValue];

const INCIDENT_COLUMNS: ReadonlyArray<Column<IncidentReportRow>> = [
  ['Nomor', 'Ref', (i) => i.ref],
  ['Layanan', 'Service', (i) => i.service],
  ['Prioritas', 'Priority', (i) => i.priority],
  ['Kategori', 'Category', (i) => i.category],
  ['Sumber', 'Source', (i) => i.source],
  ['Status', 'Status', (i, o) => WORDS[o.lang].status[i.status]],
  ['Jam SLA', 'SLA clock', (i, o) => WORDS[o.lang].clock[i.clock]],
  ['Terdeteksi', 'Detected', (i, o) => csvTime(i.detectedAt, o.timezone)],
  ['Ditanggapi', 'Acknowledged', (i, o) => csvTime(i.acknowledgedAt, o.timezone)],
  ['Layanan pulih', 'Service restored', (i, o) => csvTime(i.serviceRestoredAt, o.timezone)],
  ['Diselesaikan', 'Resolved', (i, o) => csvTime(i.resolvedAt, o.timezone)],
  ['Ditutup', 'Closed', (i, o) => csvTime(i.closedAt, o.timezone)],
  ['Batas tanggap', 'Response due', (i, o) => csvTime(i.responseDueAt, o.timezone)],
  ['Batas penyelesaian', 'Resolution due', (i, o) => csvTime(i.resolveDueAt, o.timezone)],
  ['Waktu tanggap (menit, jam SLA)', 'Time to acknowledge (min, SLA clock)', (i) => csvMinutes(i.timeToAcknowledgeMs)],
  ['Waktu pemulihan (menit, jam SLA)', 'Time to restore (min, SLA clock)', (i) => csvMinutes(i.timeToRestoreMs)],
  ['Waktu penyelesaian (menit, jam SLA, tanpa jeda)', 'Time to resolve (min, SLA clock, pauses excluded)', (i) => csvMinutes(i.timeToResolveMs)],
  ['Waktu tanggap (menit, waktu kalender)', 'Time to acknowledge (min, wall clock)', (i) => csvMinutes(i.wall.timeToAcknowledgeMs)],
  ['Waktu pemulihan (menit, waktu kalender)', 'Time to restore (min, wall clock)', (i) => csvMinutes(i.wall.timeToRestoreMs)],
  ['Waktu penyelesaian (menit, waktu kalender)', 'Time to resolve (min, wall clock)', (i) => csvMinutes(i.wall.timeToResolveMs)],
  ['Target tanggap', 'Response target', (i, o) => WORDS[o.lang].outcome[i.response]],
  ['Target penyelesaian', 'Resolution target', (i, o) => WORDS[o.lang].outcome[i.resolution]],
  ['Dibuka kembali', 'Reopened', (i) => i.reopenCount],
  ['Masuk lewat', 'Reported via', (i, o) => (i.reportedVia ? WORDS[o.lang].reportedVia[i.reportedVia] : null)],
];

const AVAILABILITY_COLUMNS: ReadonlyArray<Column<DailyAvailability>> = [
  ['Tanggal', 'Day', (d) => d.day],
  ['Layanan', 'Service', (d) => d.service],
  ['Ketersediaan (%)', 'Availability (%)', (d, o) => csvPercent(d.figures.ratio, o.lang)],
  ['Keberhasilan probe (%)', 'Probe success (%)', (d, o) => csvPercent(d.figures.probeSuccess, o.lang)],
  ['Waktu terpantau (menit)', 'Observed (min)', (d) => csvMinutes(d.figures.observedMs)],
  ['Waktu normal (menit)', 'Up (min)', (d) => csvMinutes(d.figures.upMs)],
  ['Waktu gangguan (menit)', 'Down (min)', (d) => csvMinutes(d.figures.downMs)],
  ['Waktu menurun (menit)', 'Degraded (min)', (d) => csvMinutes(d.figures.degradedMs)],
  ['Waktu pemeliharaan (menit)', 'Maintenance (min)', (d) => csvMinutes(d.figures.maintenanceMs)],
  ['Waktu tanpa data (menit)', 'Unknown (min)', (d) => csvMinutes(d.figures.unknownMs)],
];

function table<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[], o: ReportCsvOptions): string {
  return toCsv(
    columns.map(([id, en]) => (o.lang === 'id' ? id : en)),
    rows.map((row) => columns.map(([, , value]) => value(row, o))),
    o.sep,
  );
}

/** One row per incident of the report (canceled ones included, as in the report's list). */
export function incidentReportCsv(report: Pick<IncidentReport, 'incidents'>, options: ReportCsvOptions): string {
  return table(INCIDENT_COLUMNS, report.incidents, options);
}

/** One row per service per office day. */
export function availabilityReportCsv(days: readonly DailyAvailability[], options: ReportCsvOptions): string {
  return table(AVAILABILITY_COLUMNS, days, options);
}
