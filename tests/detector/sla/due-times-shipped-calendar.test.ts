// The working-day rule on the calendar the office ships: sigap.yaml with its Indonesian .ics
// calendars, read through the config loader as Sigap reads it at start.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';
import { dueTimes } from '../../../detector/sla/due-times.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const config = loadConfig({ SIGAP_CONFIG: join(PROJECT_ROOT, 'sigap.yaml') });
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const resolveDue = (startedAt: string) =>
  dueTimes({ startedAt: wib(startedAt), priority: 'P4', targets: config.policy.targets, calendar: config.calendar, warnAt: config.policy.warnAt }).resolveDueAt.toISOString();

describe('a P4 (resolve: 5d, business) on the shipped calendar', () => {
  it('is configured as five working days', () => {
    expect(config.policy.targets.P4).toMatchObject({ resolve: { days: 5, ms: 0 }, clock: 'business' });
  });

  it('opened Monday 10:00 WIB in a week without holidays is due the next Monday 10:00', () => {
    expect(resolveDue('2026-11-23 10:00')).toBe(wib('2026-11-30 10:00').toISOString());
  });

  it('opened Monday 10:00 WIB a week before Proklamasi Kemerdekaan (Monday 17 August) is due one working day later, Tuesday 10:00', () => {
    expect(config.calendar.holidayNames?.get('2026-08-17')).toBe('Proklamasi Kemerdekaan');
    expect(resolveDue('2026-08-10 10:00')).toBe(wib('2026-08-18 10:00').toISOString());
  });

  it('opened the Monday before Christmas skips cuti bersama (24 December) and Natal (25 December)', () => {
    expect(resolveDue('2026-12-21 10:00')).toBe(wib('2026-12-30 10:00').toISOString());
  });
});
