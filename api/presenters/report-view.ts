// The monthly report page (/reports): the availability and incident reports of a month shaped for
// a printable page with a server-drawn SVG chart.
import { shiftMonth, type MonthlyReport } from '../../detector/reporting/monthly-report.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import type { Language } from '../i18n.js';
import { formatDuration, formatPercent, ratioClass } from './formatters.js';

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
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
const SOURCES = new Set(['probe', 'manual', 'alertmanager']);

export function reportView(input: MonthlyReport, lang: Language, dateTime: (d: Date | null) => string) {
  const { range, incidents: report } = input;
  const names = new Map(input.services.map((s) => [s.key, s.name]));
  const query = `from=${encodeURIComponent(range.from.toISOString())}&to=${encodeURIComponent(range.to.toISOString())}`;
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

  const priorities = PRIORITIES.map((p) => {
    const row = report.byPriority[p];
    return {
      priority: p,
      cls: `priority-${p.toLowerCase()}`,
      count: row.count,
      mtta: duration(row.mttaMs, lang),
      mttaLate: row.mttaMs !== null && row.mttaMs > row.responseTargetMs,
      responseTarget: duration(row.responseTargetMs, lang),
      mttRestore: duration(row.mttRestoreMs, lang),
      mttResolve: duration(row.mttResolveMs, lang),
      mttResolveLate: row.mttResolveMs !== null && row.mttResolveMs > row.resolveTargetMs,
      resolveTarget: duration(row.resolveTargetMs, lang),
      slaMet: row.slaMet,
      slaMetPercent: formatPercent(row.slaMetRatio, lang) ?? '—',
      breachesResponse: row.breaches.response,
      breachesResolution: row.breaches.resolution,
    };
  });
  const counted = (record: Record<string, number>, labelPrefix: string, known: (key: string) => boolean) =>
    Object.entries(record)
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, count]) => ({ key, count, labelKey: known(key) ? `${labelPrefix}${key}` : null }));

  return {
    month: range.month,
    monthName,
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
      status: i.status,
      detectedAt: dateTime(new Date(i.detectedAt)),
      tta: duration(i.timeToAcknowledgeMs, lang),
      ttr: duration(i.timeToRestoreMs, lang),
      ttResolve: duration(i.timeToResolveMs, lang),
      breached: i.responseBreached || i.resolutionBreached,
    })),
  };
}
