// holidays: in sigap.yaml — dates, ranges, names and .ics calendars (relative to the config file),
// every bad entry reported with the others; and the shipped Indonesian calendars.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../config.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sigap-holidays-'));
mkdirSync(join(dir, 'cal'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ics = (...events: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
const allDay = (uid: string, start: string, summary: string, extra: string[] = []) =>
  ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261201T000000Z', `DTSTART;VALUE=DATE:${start}`, ...extra, `SUMMARY:${summary}`, 'END:VEVENT'].join('\r\n');

writeFileSync(
  join(dir, 'cal', 'office.ics'),
  ics(
    allDay('a', '20261225', 'Natal', ['DTEND;VALUE=DATE:20261226']),
    allDay('b', '20261228', 'Libur akhir tahun', ['DTEND;VALUE=DATE:20261231']),
    allDay('c', '20261120', 'HUT Kabupaten'),
    allDay('d', '20270817', 'Proklamasi', ['RRULE:FREQ=YEARLY;COUNT=3']),
    allDay('e', '20261201', 'Dibatalkan', ['STATUS:CANCELLED']),
  ),
);
writeFileSync(join(dir, 'cal', 'broken.ics'), 'this is not a calendar\r\n');
writeFileSync(
  join(dir, 'cal', 'meeting.ics'),
  ics(['BEGIN:VEVENT', 'UID:m', 'DTSTAMP:20261201T000000Z', 'DTSTART:20261202T030000Z', 'DTEND:20261202T040000Z', 'SUMMARY:Rapat', 'END:VEVENT'].join('\r\n')),
);

const configFile = join(dir, 'sigap.yaml');
const parse = (holidays: string) => parseConfig(`holidays:\n${holidays}\n`, configFile, {});
function problemsOf(text: string): string[] {
  try {
    parseConfig(text, configFile, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('holidays in sigap.yaml', () => {
  it('takes dates, ranges (both ends included) and names, as plain values or { date | from, to, name }', () => {
    const { calendar } = parse(
      ['  - 2026-12-25', '  - 2026-03-20..2026-03-24', '  - { date: 2026-11-20, name: HUT Kabupaten }', '  - { from: "2026-12-30", to: 2027-01-01, name: Akhir tahun }'].join('\n'),
    );
    expect([...calendar.holidays]).toEqual([
      '2026-03-20',
      '2026-03-21',
      '2026-03-22',
      '2026-03-23',
      '2026-03-24',
      '2026-11-20',
      '2026-12-25',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
    ]);
    expect(calendar.holidayNames?.get('2026-11-20')).toBe('HUT Kabupaten');
    expect(calendar.holidayNames?.get('2027-01-01')).toBe('Akhir tahun');
    expect(calendar.holidayNames?.get('2026-12-25')).toBe('');
  });

  it('reads an .ics file relative to the config file: all-day events, DTEND exclusive, yearly rules, SUMMARY as the name, cancelled events left out', () => {
    const { calendar } = parse('  - cal/office.ics');
    expect([...calendar.holidays]).toEqual(['2026-11-20', '2026-12-25', '2026-12-28', '2026-12-29', '2026-12-30', '2027-08-17', '2028-08-17', '2029-08-17']);
    expect(calendar.holidayNames?.get('2026-12-29')).toBe('Libur akhir tahun');
    expect(calendar.holidayNames?.get('2028-08-17')).toBe('Proklamasi');
  });

  it('keeps both names of a date given twice', () => {
    const { calendar } = parse('  - cal/office.ics\n  - { date: 2026-12-25, name: Hari Natal kantor }');
    expect(calendar.holidayNames?.get('2026-12-25')).toBe('Natal / Hari Natal kantor');
  });

  it('reports every bad entry at once, with the file, the key and the .ics file, beside the other problems', () => {
    const problems = problemsOf(
      [
        'timezone: Mars/Olympus',
        'holidays:',
        '  - 2026-02-30',
        '  - 2026-12-26..2026-12-24',
        '  - 2026-01-01..2027-06-01',
        '  - { date: 2026-13-01, name: X }',
        '  - { day: 2026-12-01 }',
        '  - next friday',
        '  - cal/missing.ics',
        '  - cal/broken.ics',
        '  - cal/meeting.ics',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        `${configFile}: timezone: must be an IANA time zone such as Asia/Jakarta`,
        `${configFile}: holidays[0]: must be a date written YYYY-MM-DD`,
        `${configFile}: holidays[1]: the range ends (2026-12-24) before it starts (2026-12-26)`,
        `${configFile}: holidays[2]: a range may span at most 366 days (this one spans 517)`,
        `${configFile}: holidays[3].date: must be a date written YYYY-MM-DD`,
        `${configFile}: holidays[4]: unknown key day (use date or from/to, and name)`,
        `${configFile}: holidays[5]: must be a date (2026-12-25), a range (2026-12-24..2026-12-26), an .ics file path, or { date, name } / { from, to, name }`,
        expect.stringMatching(new RegExp(`^${configFile}: holidays\\[6\\]: cal/missing\\.ics: file not found \\(looked for .*cal/missing\\.ics\\)$`)),
        expect.stringMatching(new RegExp(`^${configFile}: holidays\\[7\\]: cal/broken\\.ics: is not an iCalendar file`)),
        `${configFile}: holidays[8]: cal/meeting.ics: event "Rapat" on 2026-12-02T03:00:00Z is not an all-day event; only whole days can be holidays (make it an all-day event)`,
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('reports a missing .ics file even when the rest of the file is valid', () => {
    expect(problemsOf('holidays: [cal/nowhere.ics]\n')).toEqual([expect.stringContaining(`${configFile}: holidays[0]: cal/nowhere.ics: file not found`)]);
  });
});

describe('the shipped Indonesian calendars, loaded through sigap.yaml', () => {
  const config = loadConfig({ SIGAP_CONFIG: join(PROJECT_ROOT, 'sigap.yaml') });
  const of = (year: string) => [...config.calendar.holidays].filter((d) => d.startsWith(year));

  it('holds the 17 days of libur nasional and 8 of cuti bersama of 2026, each named', () => {
    expect(of('2026')).toHaveLength(25);
    expect(of('2026').filter((d) => config.calendar.holidayNames?.get(d)?.startsWith('Cuti bersama'))).toEqual([
      '2026-02-16',
      '2026-03-18',
      '2026-03-20',
      '2026-03-23',
      '2026-03-24',
      '2026-05-15',
      '2026-05-28',
      '2026-12-24',
    ]);
    expect(config.calendar.holidayNames?.get('2026-08-17')).toBe('Proklamasi Kemerdekaan');
    expect(config.calendar.holidayNames?.get('2026-03-22')).toBe('Idulfitri 1447 Hijriah');
  });

  it('ships nothing for 2027 until its joint decree can be verified', () => {
    expect(of('2027')).toEqual([]);
  });
});
