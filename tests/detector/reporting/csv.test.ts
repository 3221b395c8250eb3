// CSV for spreadsheets: one writer for every report and export.
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../../detector/reporting/csv.js';

describe('toCsv', () => {
  it('starts with a byte-order mark, ends rows with CRLF, quotes what RFC 4180 requires and writes times as ISO-8601', () => {
    const csv = toCsv(['ref', 'title', 'at', 'n'], [['INC-2026-00001', 'Formulir "SKM", rusak\nlagi', new Date('2026-11-27T01:00:00Z'), -1.5]]);
    expect(csv).toBe('\uFEFFref,title,at,n\r\nINC-2026-00001,"Formulir ""SKM"", rusak\nlagi",2026-11-27T01:00:00.000Z,-1.5\r\n');
  });

  it('keeps text a spreadsheet would run as a formula as text', () => {
    const csv = toCsv(['title'], [['=HYPERLINK("http://x")'], ['+1'], ['-2'], ['@SUM(A1)'], ['biasa']]);
    expect(csv.split('\r\n').slice(1, 6)).toEqual([`"'=HYPERLINK(""http://x"")"`, "'+1", "'-2", "'@SUM(A1)", 'biasa']);
  });
});
