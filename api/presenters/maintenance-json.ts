import { windowActiveAt, type MaintenanceWindow } from '../../detector/detection/maintenance.js';

/** A maintenance window as the JSON API answers it: a one-off one by its instants, a weekly one by its office-time start and length. */
export function windowJson(w: MaintenanceWindow, timezone: string, now: Date) {
  const s = w.schedule;
  return {
    id: w.id,
    title: w.title,
    service: w.serviceKey,
    check: w.checkKey,
    recurrence: s.recurrence,
    startsAt: s.recurrence === 'none' ? s.startsAt.toISOString() : null,
    endsAt: s.recurrence === 'none' ? s.endsAt.toISOString() : null,
    weekdays: s.recurrence === 'weekly' ? s.weekdays : null,
    start: s.recurrence === 'weekly' ? s.localStart : null,
    durationMinutes: s.recurrence === 'weekly' ? s.durationMinutes : null,
    timezone,
    activeNow: windowActiveAt(w, now, timezone),
    createdBy: w.createdBy,
    createdAt: w.createdAt.toISOString(),
  };
}
