// The key figures of a monthly report as the head of division reads them, in Indonesian: what the
// report e-mail and its PDF show (availability per service, incidents by priority with MTTA / MTTR,
// breaches). Formatting only; every number comes from the MonthlyReport.
import { reportedViaText } from '../incidents/incident-words.js';
import type { Priority } from '../incidents/priority.js';
import { REPORTED_VIA } from '../incidents/reporter.js';
import type { MonthlyReport } from './monthly-report.js';

const PRIORITY_ORDER: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];
const MONTHS_ID = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];

export interface AvailabilityLine {
  service: string;
  /** "99,95 %", or "—" when nothing was observed. */
  availability: string;
  /** Confirmed down time in whole minutes, "0 menit" when none. */
  downtime: string;
}

export interface PriorityLine {
  priority: Priority;
  incidents: number;
  /** The clock the times are counted on: office hours (business) or around the clock (24x7). */
  clock: string;
  mtta: string;
  mttRestore: string;
  mttResolve: string;
  responseBreaches: number;
  resolutionBreaches: number;
  /** "3 dari 4 (75 %)", or "—" when none was resolved. */
  slaMet: string;
}

export interface ReportFigures {
  /** YYYY-MM. */
  month: string;
  /** "November 2026". */
  monthLabel: string;
  availability: AvailabilityLine[];
  priorities: PriorityLine[];
  /** Manual incidents by how the report came in, in words, the channels that brought any (SOP: phone, WhatsApp, SP4N-LAPOR!, …). */
  reportedVia: Array<{ channel: string; incidents: number }>;
  totals: { incidents: number; breaches: number; canceled: number };
}

/** "November 2026" for 2026-11. */
export function monthLabel(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return `${MONTHS_ID[mon - 1]} ${year}`;
}

/** A ratio as an Indonesian percentage with two decimals: 0.99953 → "99,95 %". */
export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(Math.floor(ratio * 10_000) / 100).toFixed(2).replace('.', ',')} %`;
}

/** A duration in words: "45 menit", "2 jam 5 menit", "3 hari 1 jam"; "—" for none. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} menit`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} hari ${hours} jam` : `${days} hari`;
  return rest > 0 ? `${hours} jam ${rest} menit` : `${hours} jam`;
}

export function reportFigures(report: MonthlyReport): ReportFigures {
  const availability = report.services.map((service) => {
    const figures = report.availability.get(service.key);
    return {
      service: service.name,
      availability: percent(figures?.ratio ?? null),
      downtime: `${Math.round((figures?.downMs ?? 0) / 60_000)} menit`,
    };
  });
  const priorities = PRIORITY_ORDER.map((priority) => {
    const p = report.incidents.byPriority[priority];
    return {
      priority,
      incidents: p.count,
      clock: p.clock === 'business' ? 'jam kerja' : '24 jam',
      mtta: duration(p.mttaMs),
      mttRestore: duration(p.mttRestoreMs),
      mttResolve: duration(p.mttResolveMs),
      responseBreaches: p.breaches.response,
      resolutionBreaches: p.breaches.resolution,
      slaMet: p.slaMetRatio === null ? '—' : `${p.slaMet} dari ${p.finished} (${percent(p.slaMetRatio)})`,
    };
  });
  return {
    month: report.range.month,
    monthLabel: monthLabel(report.range.month),
    availability,
    priorities,
    reportedVia: REPORTED_VIA.filter((via) => (report.incidents.byReportedVia[via] ?? 0) > 0).map((via) => ({
      channel: reportedViaText(via, 'id'),
      incidents: report.incidents.byReportedVia[via]!,
    })),
    totals: {
      incidents: priorities.reduce((n, p) => n + p.incidents, 0),
      breaches: priorities.reduce((n, p) => n + p.responseBreaches + p.resolutionBreaches, 0),
      canceled: report.incidents.canceled,
    },
  };
}
