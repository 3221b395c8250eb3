// The /maintenance page: the windows (one-off ones by their times, weekly ones by days, start and
// length), and for those who manage them the form, as typed after a refusal.
import type { ServiceRecord, CheckRecord } from '../../detector/detection/check-types.js';
import { windowActiveAt, type MaintenanceWindow } from '../../detector/detection/maintenance.js';
import type { SigapError } from '../../detector/errors.js';
import { formatDuration, type Formatters } from './formatters.js';

/** The page's form fields as typed. */
export interface MaintenanceFormValues {
  title: string;
  service: string;
  check: string;
  recurrence: string;
  startsAt: string;
  endsAt: string;
  weekdays: string | string[];
  start: string;
  durationMinutes: string;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function windowRow(w: MaintenanceWindow, timezone: string, now: Date, fmt: Formatters) {
  const s = w.schedule;
  return {
    id: w.id,
    title: w.title,
    service: w.serviceKey,
    check: w.checkKey,
    activeNow: windowActiveAt(w, now, timezone),
    once: s.recurrence === 'none' ? { from: fmt.dateTime(s.startsAt), to: fmt.dateTime(s.endsAt) } : null,
    weekly: s.recurrence === 'weekly' ? { weekdays: s.weekdays, start: s.localStart, duration: formatDuration(s.durationMinutes * 60_000, fmt.lang) } : null,
    createdBy: w.createdBy,
  };
}

export function maintenanceView(
  data: { windows: MaintenanceWindow[]; services: ServiceRecord[]; checks: CheckRecord[] },
  form: { mayManage: boolean; values: MaintenanceFormValues; error: SigapError | null },
  timezone: string,
  now: Date,
  fmt: Formatters,
) {
  const { values } = form;
  const weekdays = typeof values.weekdays === 'string' ? [values.weekdays] : values.weekdays;
  return {
    timezone,
    windows: data.windows.map((w) => windowRow(w, timezone, now, fmt)),
    mayManage: form.mayManage,
    serviceKeys: data.services.map((s) => s.key),
    checkKeys: data.checks.map((c) => c.key),
    form: { ...values, weekly: values.recurrence === 'weekly', days: WEEKDAYS.map((day) => ({ day, checked: weekdays.includes(day) })) },
    error: form.error,
  };
}
