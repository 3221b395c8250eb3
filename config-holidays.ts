// The office's holidays as config.ts reads them: dates, ranges and .ics calendars (RFC 5545, as
// Google Calendar and Outlook export them), each date with a name. Only config.ts imports this.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ICAL from 'ical.js';
import type { HolidayEntry } from './config-schema.js';

const DAY_MS = 86_400_000;
/** How far a recurring calendar event is followed: holidays are planned a few years ahead at most. */
const RECURRENCE_YEARS = 30;
const MAX_OCCURRENCES = 1000;

/**
 * Every holiday date (`YYYY-MM-DD`) with its name ('' when none is given); a date named twice keeps
 * both names. A file that cannot be read or parsed, and any event that is not a whole day, is
 * a problem naming the file, the key and the event. Entries the schema refused are undefined,
 * so the others keep their positions in the problems.
 */
export function loadHolidays(entries: ReadonlyArray<HolidayEntry | undefined>, configPath: string, problems: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const add = (date: string, name: string) => {
    const known = names.get(date);
    names.set(date, known && name && !known.split(' / ').includes(name) ? `${known} / ${name}` : known || name);
  };
  entries.forEach((entry, i) => {
    if (entry === undefined) return; // already reported by the schema
    if (entry.kind === 'dates') {
      for (const date of datesBetween(entry.from, entry.to)) add(date, entry.name);
      return;
    }
    const file = resolve(dirname(configPath), entry.path);
    const report = (message: string) => problems.push(`${configPath}: holidays[${i}]: ${entry.path}: ${message}`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      report(code === 'ENOENT' ? `file not found (looked for ${file})` : `cannot be read (${(err as Error).message})`);
      return;
    }
    for (const [date, name] of icsHolidays(text, report)) add(date, name);
  });
  return names;
}

// Parsing is a pure function of the text; the same calendar read again (config checks, tests
// that parse the shipped file many times) is answered from here.
const parsedCalendars = new Map<string, { holidays: Array<[string, string]>; problems: string[] }>();
const MAX_REMEMBERED = 16;

/** All-day events of an iCalendar text as [date, SUMMARY] pairs; anything else is reported. */
export function icsHolidays(text: string, report: (message: string) => void): Array<[string, string]> {
  let parsed = parsedCalendars.get(text);
  if (!parsed) {
    const problems: string[] = [];
    parsed = { holidays: parseIcs(text, (message) => problems.push(message)), problems };
    if (parsedCalendars.size >= MAX_REMEMBERED) parsedCalendars.delete(parsedCalendars.keys().next().value!);
    parsedCalendars.set(text, parsed);
  }
  parsed.problems.forEach(report);
  return parsed.holidays;
}

function parseIcs(text: string, report: (message: string) => void): Array<[string, string]> {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (err) {
    report(`is not an iCalendar file (${(err as Error).message.split('\n')[0]})`);
    return [];
  }
  // One calendar parses to one component; a file holding several to a list of them.
  const roots = (Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[];
  const out: Array<[string, string]> = [];
  for (const root of roots) {
    const calendar = new ICAL.Component(root as ConstructorParameters<typeof ICAL.Component>[0]);
    if (calendar.name !== 'vcalendar') {
      report(`is not an iCalendar file (it starts with BEGIN:${calendar.name.toUpperCase()}, not BEGIN:VCALENDAR)`);
      continue;
    }
    for (const vevent of calendar.getAllSubcomponents('vevent')) {
      if (String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
      const event = new ICAL.Event(vevent);
      const name = (event.summary ?? '').trim();
      const start = event.startDate;
      const label = `event "${name || event.uid || '?'}"`;
      if (!start) {
        report(`${label} has no DTSTART`);
        continue;
      }
      if (!start.isDate) {
        report(`${label} on ${start.toString()} is not an all-day event; only whole days can be holidays (make it an all-day event)`);
        continue;
      }
      // DTEND of an all-day event is exclusive; without one the event is that one day.
      const end = event.endDate && event.endDate.isDate ? event.endDate : null;
      const length = end ? Math.max(1, Math.round((Date.UTC(end.year, end.month - 1, end.day) - Date.UTC(start.year, start.month - 1, start.day)) / DAY_MS)) : 1;
      const firsts = event.isRecurring() ? occurrences(event) : [start];
      for (const first of firsts) {
        const from = Date.UTC(first.year, first.month - 1, first.day);
        for (let d = 0; d < length; d++) out.push([new Date(from + d * DAY_MS).toISOString().slice(0, 10), name]);
      }
    }
  }
  return out;
}

function occurrences(event: InstanceType<typeof ICAL.Event>): Array<InstanceType<typeof ICAL.Time>> {
  const found: Array<InstanceType<typeof ICAL.Time>> = [];
  const lastYear = event.startDate.year + RECURRENCE_YEARS;
  const iterator = event.iterator();
  for (let next = iterator.next(); next && next.year <= lastYear && found.length < MAX_OCCURRENCES; next = iterator.next()) found.push(next);
  return found;
}

function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) dates.push(new Date(t).toISOString().slice(0, 10));
  return dates;
}
