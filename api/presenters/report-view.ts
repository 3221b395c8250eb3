// The monthly report page (/reports): the availability and incident reports of a month shaped for
// a printable page with a server-drawn SVG chart.
import { REPORTED_VIA } from '../../detector/incidents/reporter.js';
import type { ReportsConfig } from '../../config.js';
import type { PriorityFigures, SlaClock } from '../../detector/reporting/incident-report.js';
import { shiftMonth, type MonthlyReport } from '../../detector/reporting/monthly-report.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import type { Language } from '../i18n.js';
import { formatDuration, formatPercent, ratioClass } from './formatters.js';
import { categoryLabelKey } from './taxonomy-labels.js';

const CHART = { left: 34, top: 8, barStep: 16, barWidth: 11, plotHeight: 100, floor: 0.9 };

/** One bar per day; the scale starts at 90% (everything below is drawn as a sliver, coloured red). */
export function availabilityChart(days: readonly string[], ratios: ReadonlyMap<string, number | null>, lang: Language) {
  const { left, top, barStep, barWidth, plotHeight, floor } = CHART;
  const bars = days.map((day, i) => {
    const ratio = ratios.get(day) ?? null;
    const share = ratio === null ? 1 : (Math.min(1, Math.max(floor, ratio)) - floor) / (1 - floor);
    const h = Math.max(2, Math.round(share * plotHeight));
    const percent = formatPercent(ratio, lang);
    return { x: left + i * barStep, y: top + plotHeight - h, w: barWidth, h, cls: ratioClass(ratio), day, percent };
  });
  const labelY = top + plotHeight + 14;
  return {
    width: left + days.length * barStep,
    height: labelY + 6,
    bars,
    gridTop: top,
    gridBottom: top + plotHeight,
    axisX: left - 4,
    labelY,
    ticks: days.flatMap((day, i) => (i === 0 || (i + 1) % 5 === 0 ? [{ x: left + i * barStep + barWidth / 2, label: String(Number(day.slice(8))) }] : [])),
  };
}

const duration = (ms: number | null, lang: Language) => (ms === null ? '—' : formatDuration(ms, lang));
/** Office time in hours and minutes: a "day" of office time would read as a calendar day. */
const officeDuration = (ms: number | null, lang: Language) => {
  if (ms === null) return '—';
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const [h, m] = lang === 'id' ? ['jam', 'menit'] : ['h', 'min'];
  return hours > 0 ? `${hours} ${h} ${minutes} ${m}` : `${minutes} ${m}`;
};
const onClock = (clock: SlaClock, ms: number | null, lang: Language) => (clock === 'business' ? officeDuration(ms, lang) : duration(ms, lang));

/** A CSS string: everything but plain letters, digits and spaces escaped, so no text can end the rule or the <style>. */
export function cssString(text: string): string {
  return `"${[...text].map((ch) => (/[\p{L}\p{N} ]/u.test(ch) && ch !== '<' ? ch : `\\${ch.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

/** What the printed report carries besides its figures: letterhead, signature, print date and page numbers. */
export interface PrintContext {
  reports: ReportsConfig;
  now: Date;
  timezone: string;
  /** The page's translator (margin boxes are CSS, so their words come in as strings). */
  t: (key: string) => string;
}

function printView(p: PrintContext, lang: Language, dateTime: (d: Date | null) => string) {
  const printedAt = dateTime(p.now);
  const longDate = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: p.timezone }).format(p.now);
  const signature = p.reports.signature;
  return {
    letterhead: p.reports.letterhead,
    signature: signature ? { ...signature, placeDate: signature.place ? `${signature.place}, ${longDate}` : longDate } : null,
    printedAt,
    // Chromium draws @page margin boxes: the print date bottom left, "page n of m" bottom right.
    pageCss:
      `@page { size: A4; margin: 16mm 14mm 18mm; ` +
      `@bottom-left { content: ${cssString(`${p.t('reports.printedAt')} ${printedAt}`)}; font-size: 8pt; color: #444; } ` +
      `@bottom-right { content: ${cssString(`${p.t('reports.page')} `)} counter(page) ${cssString(` ${p.t('reports.pageOf')} `)} counter(pages); font-size: 8pt; color: #444; } }`,
  };
}

function priorityRow(p: string, row: PriorityFigures, lang: Language) {
  const c = row.clock;
  return {
    priority: p,
    cls: `priority-${p.toLowerCase()}`,
    count: row.count,
    clockKey: `reports.clock.${c}`,
    mtta: onClock(c, row.mttaMs, lang),
    mttaWall: duration(row.wall.mttaMs, lang),
    mttRestore: onClock(c, row.mttRestoreMs, lang),
    mttRestoreWall: duration(row.wall.mttRestoreMs, lang),
    mttResolve: onClock(c, row.mttResolveMs, lang),
    mttResolveWall: duration(row.wall.mttResolveMs, lang),
    response: row.response,
    resolution: row.resolution,
    responseLate: row.response.breached > 0,
    resolutionLate: row.resolution.breached > 0,
    slaMet: row.slaMet,
    finished: row.finished,
    slaMetPercent: formatPercent(row.slaMetRatio, lang) ?? '—',
    breachesResponse: row.breaches.response,
    breachesResolution: row.breaches.resolution,
  };
}
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
const SOURCES = new Set(['probe', 'manual', 'alertmanager']);

export function reportView(input: MonthlyReport, lang: Language, dateTime: (d: Date | null) => string, print: PrintContext) {
  const { range, incidents: report } = input;
  const names = new Map(input.services.map((s) => [s.key, s.name]));
  // The API reads whole office days (YYYY-MM-DD, `to` exclusive): the month's first day to the next month's.
  const query = `from=${range.month}-01&to=${shiftMonth(range.month, 1)}-01`;
  const monthName = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${range.month}-01T00:00:00Z`));

  const services = input.services.map((s) => {
    const figures = input.availability.get(s.key);
    const ratios = new Map(input.daily.filter((d) => d.service === s.key).map((d) => [d.day, d.figures.ratio]));
    return {
      key: s.key,
      name: s.name,
      percent: formatPercent(figures?.ratio ?? null, lang),
      cls: ratioClass(figures?.ratio ?? null),
      probeSuccess: formatPercent(figures?.probeSuccess ?? null, lang),
      down: duration(figures ? figures.downMs : null, lang),
      degraded: duration(figures ? figures.degradedMs : null, lang),
      maintenance: duration(figures ? figures.maintenanceMs : null, lang),
      unknown: duration(figures ? figures.unknownMs : null, lang),
      chart: availabilityChart(range.days, ratios, lang),
    };
  });

  const priorities = PRIORITIES.map((p) => priorityRow(p, report.byPriority[p], lang));
  const counted = (record: Record<string, number>, labelPrefix: string, known: (key: string) => boolean) =>
    Object.entries(record)
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, count]) => ({ key, count, labelKey: known(key) ? `${labelPrefix}${key}` : null }));

  return {
    month: range.month,
    monthName,
    ...printView(print, lang, dateTime),
    previousHref: `/reports?month=${shiftMonth(range.month, -1)}`,
    nextHref: `/reports?month=${shiftMonth(range.month, 1)}`,
    periodFrom: dateTime(range.from),
    periodTo: dateTime(range.to),
    downloads: {
      availabilityCsv: `/api/reports/availability?${query}&format=csv`,
      availabilityJson: `/api/reports/availability?${query}&format=json`,
      incidentsCsv: `/api/reports/incidents?${query}&format=csv`,
      incidentsJson: `/api/reports/incidents?${query}&format=json`,
    },
    services,
    totalIncidents: report.incidents.filter((i) => i.status !== 'canceled').length,
    priorities,
    categories: counted(report.byCategory, 'reports.category.', (k) => k in TAXONOMY),
    sources: counted(report.bySource, 'reports.source.', (k) => SOURCES.has(k)),
    reportedVia: counted(report.byReportedVia, 'reporter.via.', (k) => (REPORTED_VIA as readonly string[]).includes(k)),
    reopenRate: formatPercent(report.reopenRate, lang) ?? '—',
    breachesTotal: priorities.reduce((sum, p) => sum + p.breachesResponse + p.breachesResolution, 0),
    topRecurring: report.topRecurring,
    knownErrorsAdded: report.knownErrorsAdded,
    incidents: report.incidents.map((i) => ({
      ref: i.ref,
      href: `/incidents/${encodeURIComponent(i.ref)}`,
      service: names.get(i.service) ?? i.service,
      priority: i.priority,
      cls: `priority-${i.priority.toLowerCase()}`,
      category: i.category,
      categoryKey: categoryLabelKey(i.category),
      status: i.status,
      detectedAt: dateTime(new Date(i.detectedAt)),
      clockKey: `reports.clock.${i.clock}`,
      tta: onClock(i.clock, i.timeToAcknowledgeMs, lang),
      ttr: onClock(i.clock, i.timeToRestoreMs, lang),
      ttResolve: onClock(i.clock, i.timeToResolveMs, lang),
      ttaWall: duration(i.wall.timeToAcknowledgeMs, lang),
      ttrWall: duration(i.wall.timeToRestoreMs, lang),
      ttResolveWall: duration(i.wall.timeToResolveMs, lang),
      responseKey: `reports.outcome.${i.response}`,
      resolutionKey: `reports.outcome.${i.resolution}`,
      breached: i.responseBreached || i.resolutionBreached,
    })),
  };
}
