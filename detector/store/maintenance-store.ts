import type { Knex } from 'knex';
import { WEEKDAY_NAMES, type MaintenanceSchedule, type MaintenanceWindow } from '../detection/maintenance.js';
import { toDate } from './row-mapping.js';
import type { MaintenanceStore, NewMaintenanceWindow } from './store-types.js';

interface WindowRow {
  id: number;
  title: string;
  service_key: string | null;
  check_key: string | null;
  recurrence: string;
  starts_at: number | null;
  ends_at: number | null;
  weekdays: string | null;
  local_start: string | null;
  duration_minutes: number | null;
  created_by: string;
  created_at: number;
}

// Weekdays are stored as day numbers ("6,0"): the names of all seven would not fit the column.
function toSchedule(row: WindowRow): MaintenanceSchedule {
  if (row.recurrence === 'weekly') {
    return {
      recurrence: 'weekly',
      weekdays: (row.weekdays ?? '')
        .split(',')
        .filter(Boolean)
        .map((d) => WEEKDAY_NAMES[Number(d)]!),
      localStart: row.local_start ?? '00:00',
      durationMinutes: row.duration_minutes ?? 0,
    };
  }
  return { recurrence: 'none', startsAt: toDate(row.starts_at)!, endsAt: toDate(row.ends_at)! };
}

function toWindow(row: WindowRow): MaintenanceWindow {
  return {
    id: row.id,
    title: row.title,
    serviceKey: row.service_key,
    checkKey: row.check_key,
    schedule: toSchedule(row),
    createdBy: row.created_by,
    createdAt: toDate(row.created_at)!,
  };
}

function scheduleColumns(schedule: MaintenanceSchedule) {
  if (schedule.recurrence === 'none') {
    return { recurrence: 'none', starts_at: schedule.startsAt.getTime(), ends_at: schedule.endsAt.getTime(), weekdays: null, local_start: null, duration_minutes: null };
  }
  return {
    recurrence: 'weekly',
    starts_at: null,
    ends_at: null,
    weekdays: schedule.weekdays.map((name) => WEEKDAY_NAMES.indexOf(name)).join(','),
    local_start: schedule.localStart,
    duration_minutes: schedule.durationMinutes,
  };
}

export class KnexMaintenanceStore implements MaintenanceStore {
  constructor(private readonly db: Knex) {}

  private query() {
    return this.db('maintenance_windows as m')
      .leftJoin('services as s', 's.id', 'm.service_id')
      .leftJoin('checks as c', 'c.id', 'm.check_id')
      .select('m.*', 's.key as service_key', 'c.key as check_key');
  }

  async list(): Promise<MaintenanceWindow[]> {
    const rows = (await this.query().orderBy('m.id')) as WindowRow[];
    return rows.map(toWindow);
  }

  async get(id: number): Promise<MaintenanceWindow | null> {
    const row = (await this.query().where('m.id', id).first()) as WindowRow | undefined;
    return row ? toWindow(row) : null;
  }

  async insert(window: NewMaintenanceWindow, now: Date): Promise<MaintenanceWindow> {
    const [inserted] = (await this.db('maintenance_windows')
      .insert({
        title: window.title,
        service_id: window.serviceId,
        check_id: window.checkId,
        ...scheduleColumns(window.schedule),
        created_by: window.createdBy,
        created_at: now.getTime(),
      })
      .returning('id')) as Array<{ id: number }>;
    return (await this.get(inserted!.id))!;
  }

  async delete(id: number): Promise<boolean> {
    return (await this.db('maintenance_windows').where({ id }).delete()) > 0;
  }
}
