// The office's weekly hours as sigap.yaml writes them (`mon-thu: "07:30-16:00"`, breaks as
// `"07:30-12:00, 13:00-16:00"`), read into a Sunday-first week of minute ranges. Pure.
export interface TimeRange {
  startMinute: number;
  endMinute: number;
}

export interface BusinessHoursProblem {
  key: string;
  message: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
// Day ranges in keys follow the office week (Monday first), so `sat-sun` is a weekend and
// `mon-sun` the whole week; only a range running past Sunday counts as wrapping.
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

export function parseBusinessHours(spec: Record<string, string>): {
  weekly: TimeRange[][];
  problems: BusinessHoursProblem[];
} {
  const weekly: TimeRange[][] = DAY_NAMES.map(() => []);
  const problems: BusinessHoursProblem[] = [];
  const claimedBy = new Map<number, string>();
  for (const [key, value] of Object.entries(spec)) {
    const report = (message: string) => problems.push({ key, message });
    const days = parseDays(key, report);
    const ranges = parseRanges(String(value), report);
    if (!days || !ranges) continue;
    for (const day of days) {
      const earlier = claimedBy.get(day);
      if (earlier !== undefined) {
        const where = earlier === key ? 'more than once in this key' : `already in '${earlier}'`;
        report(`${DAY_NAMES[day]} is given twice (${where})`);
        continue;
      }
      claimedBy.set(day, key);
      weekly[day] = ranges.map((r) => ({ ...r }));
    }
  }
  return { weekly, problems };
}

function parseDays(key: string, report: (message: string) => void): number[] | undefined {
  const days: number[] = [];
  let ok = true;
  for (const part of key
    .toLowerCase()
    .split(',')
    .map((p) => p.trim())) {
    const bounds = part.split('-').map((p) => p.trim());
    const indexes = bounds.map((name) => DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]));
    const unknown = bounds.filter((_, i) => indexes[i] === -1);
    if (bounds.length > 2 || part === '') {
      report(`'${part}' is not a day or a day range like mon-thu`);
      ok = false;
    } else if (unknown.length > 0) {
      report(`unknown day name ${unknown.map((u) => `'${u}'`).join(', ')} (use sun, mon, tue, wed, thu, fri, sat)`);
      ok = false;
    } else if (indexes.length === 1) {
      days.push(indexes[0]!);
    } else {
      const from = WEEK_ORDER.indexOf(indexes[0] as (typeof WEEK_ORDER)[number]);
      const to = WEEK_ORDER.indexOf(indexes[1] as (typeof WEEK_ORDER)[number]);
      if (to < from) {
        report(`day range '${part}' runs past Sunday; ranges go mon → sun, list the days instead (e.g. fri,sat,sun,mon)`);
        ok = false;
      } else {
        days.push(...WEEK_ORDER.slice(from, to + 1));
      }
    }
  }
  return ok ? days : undefined;
}

function parseRanges(value: string, report: (message: string) => void): TimeRange[] | undefined {
  const parts = value.split(',').map((p) => p.trim());
  const ranges: TimeRange[] = [];
  let ok = true;
  for (const part of parts) {
    const match = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!match) {
      report(`'${part}' is not a time range like 07:30-16:00`);
      ok = false;
      continue;
    }
    const start = parseClock(match[1]!);
    const end = parseClock(match[2]!);
    if (start === undefined || start === 1440 || end === undefined) {
      const bad = start === undefined || start === 1440 ? match[1] : match[2];
      report(`'${bad}' is not a valid time (00:00-23:59, or 24:00 as an end)`);
      ok = false;
    } else if (end <= start) {
      report(`in '${part}' the end is not after the start`);
      ok = false;
    } else {
      ranges.push({ startMinute: start, endMinute: end });
    }
  }
  if (!ok) return undefined;
  ranges.sort((a, b) => a.startMinute - b.startMinute);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur.startMinute < prev.endMinute) {
      report(`ranges ${formatRange(prev)} and ${formatRange(cur)} overlap`);
      ok = false;
    }
  }
  return ok ? ranges : undefined;
}

function parseClock(text: string): number | undefined {
  const [h, m] = text.split(':').map(Number) as [number, number];
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return undefined;
  return h * 60 + m;
}

function formatRange(r: TimeRange): string {
  const clock = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
  return `${clock(r.startMinute)}-${clock(r.endMinute)}`;
}
