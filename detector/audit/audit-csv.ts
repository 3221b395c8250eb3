// The audit trail as CSV, the same conventions as the reports' downloads (reporting/report-csv.ts:
// `;` and Indonesian headers by default, office times with their zone; reporting/csv.ts writes the
// file: byte-order mark, RFC 4180, CRLF, formulas kept as text). `detail` is its JSON.
import { toCsv } from '../reporting/csv.js';
import { csvTime, type ReportCsvOptions } from '../reporting/report-csv.js';
import type { AuditEvent } from './audit-types.js';

const HEADERS = {
  id: ['Waktu', 'Tindakan', 'Pelaku', 'Alamat', 'Sasaran', 'Rincian'],
  en: ['Time', 'Action', 'Actor', 'Address', 'Target', 'Detail'],
} as const;

export function auditCsv(events: readonly AuditEvent[], options: ReportCsvOptions): string {
  const rows = events.map((e) => [csvTime(e.at, options.timezone), e.action, e.actor.username, e.ip, e.target, JSON.stringify(e.detail)]);
  return toCsv(HEADERS[options.lang], rows, options.sep);
}
