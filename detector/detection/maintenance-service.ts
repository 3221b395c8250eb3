// Maintenance windows: admins and the service desk create and delete them (validated, every problem
// named at once); the detector asks whether a check is in one before it opens an incident.
import { z } from 'zod';
import { wallClockToInstant } from '../sla/business-calendar.js';
import type { User, UserRole } from '../accounts/account-types.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { AuditOrigin } from '../audit/audit-types.js';
import { ForbiddenError, issueDetails, NotFoundError, ValidationError, type ErrorDetail } from '../errors.js';
import { isInMaintenance, parseLocalClock, WEEKDAY_NAMES, type MaintenanceSchedule, type MaintenanceTarget, type MaintenanceWindow } from './maintenance.js';
import type { Database, Stores } from '../store/store-types.js';

const MANAGERS: readonly UserRole[] = ['admin', 'service_desk'];
const WEEK_MINUTES = 7 * 24 * 60;

/** A window as the API and the page send it. Times without an offset are in the configured time zone. */
export const maintenanceWindowInput = z
  .object({
    title: z.string().trim().min(1).max(300),
    service: z.string().min(1).max(64).nullish(),
    check: z.string().min(1).max(64).nullish(),
    recurrence: z.enum(['none', 'weekly']).default('none'),
    startsAt: z.string().max(40).nullish(),
    endsAt: z.string().max(40).nullish(),
    weekdays: z.array(z.enum(WEEKDAY_NAMES)).min(1).max(7).nullish(),
    start: z.string().max(5).nullish(),
    durationMinutes: z.number().int().min(1).max(WEEK_MINUTES).nullish(),
  })
  .strict();
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowInput>;

export interface MaintenanceServiceDeps {
  db: Database;
  timezone: string;
  clock: () => Date;
  /** Records who created or deleted a window, in the change's transaction. */
  audit?: AuditTrail;
}

const zodProblems = (error: z.ZodError): ErrorDetail[] => issueDetails(error.issues);

/** An ISO 8601 instant with an offset, or a local date-time (`2026-12-05T22:00`) in `timezone`. */
export function parseWindowTime(text: string, timezone: string): Date | undefined {
  const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(wall);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined;
    return new Date(wallClockToInstant(wall, timezone));
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export class MaintenanceService {
  constructor(private readonly deps: MaintenanceServiceDeps) {}

  list(): Promise<MaintenanceWindow[]> {
    return this.deps.db.stores.maintenance.list();
  }

  /** Whether a check is in maintenance at `at`; `stores` is the caller's transaction. */
  async covers(stores: Stores, target: MaintenanceTarget, at: Date): Promise<boolean> {
    return isInMaintenance(await stores.maintenance.list(), target, at, this.deps.timezone);
  }

  async create(user: User, input: unknown, origin?: AuditOrigin): Promise<MaintenanceWindow> {
    this.assertMayManage(user);
    const parsed = maintenanceWindowInput.safeParse(input ?? {});
    if (!parsed.success) throw new ValidationError('the maintenance window is not valid', zodProblems(parsed.error));
    const data = parsed.data;
    const problems: ErrorDetail[] = [];
    const schedule = this.schedule(data, problems);

    const services = await this.deps.db.stores.checks.listServices();
    const checks = await this.deps.db.stores.checks.listChecks({ includeInactive: true });
    const service = data.service ? services.find((s) => s.key === data.service) : undefined;
    const check = data.check ? checks.find((c) => c.key === data.check) : undefined;
    if (data.service && !service) problems.push({ path: 'service', message: `must be one of ${services.map((s) => s.key).join(', ') || '(no services)'}` });
    if (data.check && !check) problems.push({ path: 'check', message: 'no check has this key' });
    if (service && check && check.serviceId !== service.id) problems.push({ path: 'check', message: `belongs to service ${check.serviceKey}, not ${service.key}` });
    if (problems.length > 0 || !schedule) throw new ValidationError('the maintenance window is not valid', problems);

    return this.deps.db.transaction(async (stores) => {
      const window = await stores.maintenance.insert(
        { title: data.title, serviceId: service?.id ?? null, checkId: check?.id ?? null, schedule, createdBy: user.username },
        this.deps.clock(),
      );
      await this.audited(stores, user, origin, 'maintenance.created', window);
      return window;
    });
  }

  async delete(user: User, id: number, origin?: AuditOrigin): Promise<void> {
    this.assertMayManage(user);
    await this.deps.db.transaction(async (stores) => {
      const window = await stores.maintenance.get(id);
      if (!window || !(await stores.maintenance.delete(id))) throw new NotFoundError(`maintenance window ${id}`);
      await this.audited(stores, user, origin, 'maintenance.deleted', window);
    });
  }

  private async audited(stores: Stores, user: User, origin: AuditOrigin | undefined, action: string, window: MaintenanceWindow): Promise<void> {
    const detail = { title: window.title, service: window.serviceKey, check: window.checkKey, recurrence: window.schedule.recurrence };
    await this.deps.audit?.recordChange(stores, user, origin, { action, target: `maintenance ${window.id}`, detail });
  }

  private schedule(data: z.output<typeof maintenanceWindowInput>, problems: ErrorDetail[]): MaintenanceSchedule | undefined {
    const required = (path: string, value: unknown) => {
      if (value === undefined || value === null) problems.push({ path, message: 'is required' });
    };
    const forbidden = (path: string, value: unknown, kind: string) => {
      if (value !== undefined && value !== null) problems.push({ path, message: `is not used by a ${kind} window` });
    };
    if (data.recurrence === 'weekly') {
      required('weekdays', data.weekdays);
      required('start', data.start);
      required('durationMinutes', data.durationMinutes);
      forbidden('startsAt', data.startsAt, 'weekly');
      forbidden('endsAt', data.endsAt, 'weekly');
      if (data.start && parseLocalClock(data.start) === undefined) problems.push({ path: 'start', message: 'must be a local time like 22:00' });
      if (problems.length > 0) return undefined;
      return { recurrence: 'weekly', weekdays: [...new Set(data.weekdays!)], localStart: data.start!, durationMinutes: data.durationMinutes! };
    }
    required('startsAt', data.startsAt);
    required('endsAt', data.endsAt);
    forbidden('weekdays', data.weekdays, 'one-off');
    forbidden('start', data.start, 'one-off');
    forbidden('durationMinutes', data.durationMinutes, 'one-off');
    const timeOf = (path: string, text: string | null | undefined) => {
      if (!text) return undefined;
      const at = parseWindowTime(text, this.deps.timezone);
      if (!at) problems.push({ path, message: 'must be a date-time like 2026-12-05T22:00 (local) or 2026-12-05T15:00:00Z' });
      return at;
    };
    const startsAt = timeOf('startsAt', data.startsAt);
    const endsAt = timeOf('endsAt', data.endsAt);
    if (startsAt && endsAt && endsAt <= startsAt) problems.push({ path: 'endsAt', message: 'must be after startsAt' });
    // Rollups of past hours are final: a window that has already ended would change nothing.
    else if (endsAt && endsAt <= this.deps.clock()) problems.push({ path: 'endsAt', message: 'must be in the future' });
    if (problems.length > 0 || !startsAt || !endsAt) return undefined;
    return { recurrence: 'none', startsAt, endsAt };
  }

  private assertMayManage(user: User): void {
    if (!MANAGERS.includes(user.role)) throw new ForbiddenError('only an admin or the service desk may create or delete maintenance windows');
  }
}
