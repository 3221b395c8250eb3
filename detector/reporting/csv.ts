// CSV that opens cleanly in a spreadsheet: a UTF-8 byte-order mark (so Excel reads UTF-8), a
// header row, CRLF line ends, RFC 4180 quoting of any field holding a quote, the separator (a comma
// unless told; Indonesian spreadsheets split on `;`) or a line end, and times as ISO-8601. Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a
// leading apostrophe: an incident titled "=HYPERLINK(…)" stays text in the report.
export type CsvValue = string | number | boolean | Date | null;

export type CsvSeparator = ',' | ';';

function field(value: CsvValue, sep: CsvSeparator): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /["\r\n]/.test(text) || text.includes(sep) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>, sep: CsvSeparator = ','): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map((value) => field(value, sep)).join(sep)).join('\r\n')}\r\n`;
}

/** Milliseconds as seconds, a dot for the decimals and no trailing zeros. */
export const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);
