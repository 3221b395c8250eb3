// Incidents detected in a range of office days, as CSV for spreadsheets: a header row, the
// incident fields of DESIGN §6 (nested evidence and events left out, the reporter as two columns),
// RFC 4180 quoting with CRLF line ends, UTF-8 with a byte-order mark so Excel reads it as UTF-8.
import { officeDayStart } from '../sla/business-calendar.js';
import type { Incident } from '../incidents/incident-types.js';
import { toCsv } from './csv.js';
import type { Database } from '../store/store-types.js';

const COLUMNS: ReadonlyArray<[string, (i: Incident) => string | number | boolean | Date | null]> = [
  ['ref', (i) => i.ref],
  ['title', (i) => i.title],
  ['description', (i) => i.description],
  ['service', (i) => i.service],
  ['check', (i) => i.check],
  ['source', (i) => i.source],
  ['category', (i) => i.category],
  ['subcategory', (i) => i.subcategory],
  ['failureKind', (i) => i.failureKind],
  ['impact', (i) => i.impact],
  ['urgency', (i) => i.urgency],
  ['priority', (i) => i.priority],
  ['status', (i) => i.status],
  ['escalationLevel', (i) => i.escalationLevel],
  ['assignedGroup', (i) => i.assignedGroup],
  ['assignee', (i) => i.assignee],
  ['reporterName', (i) => i.reporter?.name ?? null],
  ['reporterContact', (i) => i.reporter?.contact ?? null],
  ['flapping', (i) => i.flapping],
  ['detectedAt', (i) => i.detectedAt],
  ['acknowledgedAt', (i) => i.acknowledgedAt],
  ['responseDueAt', (i) => i.responseDueAt],
  ['resolveDueAt', (i) => i.resolveDueAt],
  ['serviceRestoredAt', (i) => i.serviceRestoredAt],
  ['resolvedAt', (i) => i.resolvedAt],
  ['closedAt', (i) => i.closedAt],
  ['responseBreached', (i) => i.responseBreached],
  ['resolutionBreached', (i) => i.resolutionBreached],
  ['managementEscalated', (i) => i.managementEscalated],
  ['resolutionCode', (i) => i.resolutionCode],
  ['resolutionNotes', (i) => i.resolutionNotes],
  ['closureCode', (i) => i.closureCode],
  ['reopenCount', (i) => i.reopenCount],
  ['relatedRef', (i) => i.relatedRef],
];

export function incidentsCsv(incidents: readonly Incident[]): string {
  return toCsv(
    COLUMNS.map(([name]) => name),
    incidents.map((i) => COLUMNS.map(([, get]) => get(i))),
  );
}

/** Incidents detected in [from, to) (office days), oldest first, as CSV. */
export async function exportIncidentsCsv(db: Database, timezone: string, fromDay: string, toDay: string): Promise<{ csv: string; count: number; from: Date; to: Date }> {
  const from = officeDayStart(fromDay, timezone);
  const to = officeDayStart(toDay, timezone);
  const found = await db.stores.incidents.listDetectedBetween(from, to);
  return { csv: incidentsCsv(found), count: found.length, from, to };
}
