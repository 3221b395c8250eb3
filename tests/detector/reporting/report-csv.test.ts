// The reports as CSV for the office's spreadsheets: times in the office's own zone with its
// Indonesian abbreviation (or the UTC offset elsewhere), percent with the language's decimal mark,
// whole minutes, the separator asked for — and csv.ts's protections kept.
import { describe, expect, it } from 'vitest';
import type { DailyAvailability } from '../../../detector/reporting/availability.js';
import type { IncidentReportRow } from '../../../detector/reporting/incident-report.js';
import { availabilityReportCsv, csvPercent, csvTime, incidentReportCsv } from '../../../detector/reporting/report-csv.js';
import { parseCsv } from '../../helpers/csv.js';

const AT = new Date('2026-11-03T07:05:00Z');

describe('report CSV', () => {
  it.each([
    ['Asia/Jakarta', '2026-11-03 14:05 WIB'],
    ['Asia/Pontianak', '2026-11-03 14:05 WIB'],
    ['Asia/Makassar', '2026-11-03 15:05 WITA'],
    ['Asia/Jayapura', '2026-11-03 16:05 WIT'],
    ['Asia/Kolkata', '2026-11-03 12:35 UTC+05:30'],
    ['America/New_York', '2026-11-03 02:05 UTC-05:00'],
    ['UTC', '2026-11-03 07:05 UTC+00:00'],
  ])('writes a time in %s as %s', (timezone, text) => {
    expect(csvTime(AT, timezone)).toBe(text);
  });

  it('writes percentages with a decimal comma in Indonesian and a dot in English', () => {
    expect(csvPercent(0.995249, 'id')).toBe('99,52');
    expect(csvPercent(0.995249, 'en')).toBe('99.52');
    expect(csvPercent(1, 'id')).toBe('100,00');
    expect(csvPercent(null, 'id')).toBeNull();
  });

  const day = (ratio: number | null): DailyAvailability =>
    ({
      day: '2026-11-03',
      service: 'skm',
      figures: { ratio, probeSuccess: 0.5, observedMs: 90_500, upMs: 60_000, downMs: 30_500, degradedMs: 0, maintenanceMs: 0, unknownMs: 0 },
    }) as unknown as DailyAvailability;

  it('separates with ; by default and quotes a field holding it; with , the decimal dot keeps columns apart', () => {
    const id = availabilityReportCsv([day(0.6629)], { sep: ';', lang: 'id', timezone: 'Asia/Jakarta' });
    expect(id.split('\r\n')[1]).toBe('2026-11-03;skm;66,29;50,00;2;1;1;0;0;0');
    const en = availabilityReportCsv([day(0.6629)], { sep: ',', lang: 'en', timezone: 'Asia/Jakarta' });
    expect(parseCsv(en.slice(1))[1]).toEqual(['2026-11-03', 'skm', '66.29', '50.00', '2', '1', '1', '0', '0', '0']);
    // id with sep=,: the decimal comma is quoted, so the columns still line up
    const mixed = availabilityReportCsv([day(0.6629)], { sep: ',', lang: 'id', timezone: 'Asia/Jakarta' });
    expect(parseCsv(mixed.slice(1))[1]![2]).toBe('66,29');
  });

  it('keeps the byte-order mark and writes a formula-like service name as text', () => {
    const row = {
      ref: 'INC-2026-00001',
      service: '=HYPERLINK("x")',
      priority: 'P3',
      category: 'application',
      source: 'manual',
      status: 'new',
      clock: 'business',
      detectedAt: AT.toISOString(),
      acknowledgedAt: null,
      serviceRestoredAt: null,
      resolvedAt: null,
      closedAt: null,
      responseDueAt: AT.toISOString(),
      resolveDueAt: AT.toISOString(),
      timeToAcknowledgeMs: null,
      timeToRestoreMs: null,
      timeToResolveMs: null,
      wall: { timeToAcknowledgeMs: null, timeToRestoreMs: null, timeToResolveMs: null },
      response: 'running',
      resolution: 'running',
      reopenCount: 0,
    } as unknown as IncidentReportRow;
    const csv = incidentReportCsv({ incidents: [row] }, { sep: ';', lang: 'id', timezone: 'Asia/Jakarta' });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const [header, values] = parseCsv(csv.slice(1), ';');
    expect(values![1]).toBe(`'=HYPERLINK("x")`);
    expect(values![header!.indexOf('Status')]).toBe('Baru');
    expect(values![header!.indexOf('Target tanggap')]).toBe('berjalan');
  });
});
