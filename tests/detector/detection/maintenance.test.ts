// Maintenance windows as pure functions, in Asia/Jakarta (WIB, UTC+7): one-off and weekly windows,
// one that crosses midnight, scopes, and how rollups count maintenance time apart.
import { describe, expect, it } from 'vitest';
import { parseWindowTime } from '../../../detector/detection/maintenance-service.js';
import { isInMaintenance, maintenanceIntervals, type MaintenanceSchedule, type MaintenanceWindow } from '../../../detector/detection/maintenance.js';
import { rollUpHours, type RollupSample } from '../../../detector/reporting/rollups.js';

const TZ = 'Asia/Jakarta';
/** A WIB wall-clock time as an instant. */
const wib = (text: string) => new Date(`${text}+07:00`);
const skmForm = { checkKey: 'skm-form', serviceKey: 'skm' };

function window(schedule: MaintenanceSchedule, scope: Partial<Pick<MaintenanceWindow, 'serviceKey' | 'checkKey'>> = {}, id = 1): MaintenanceWindow {
  return { id, title: 'maintenance', serviceKey: null, checkKey: null, ...scope, schedule, createdBy: 'admin', createdAt: new Date(0) };
}

// 2026-11-28 and 2026-12-05 are Saturdays.
const saturdayNight = window({ recurrence: 'weekly', weekdays: ['sat'], localStart: '22:00', durationMinutes: 240 });
const oneOff = window({ recurrence: 'none', startsAt: wib('2026-12-02T09:00:00'), endsAt: wib('2026-12-02T11:30:00') });

describe('isInMaintenance', () => {
  const cases: Array<{ name: string; windows: MaintenanceWindow[]; at: string; expected: boolean }> = [
    { name: 'a weekly Saturday 22:00-02:00 WIB window has not started at 21:59 on Saturday', windows: [saturdayNight], at: '2026-11-28T21:59:59', expected: false },
    { name: 'it starts at 22:00 WIB on Saturday', windows: [saturdayNight], at: '2026-11-28T22:00:00', expected: true },
    { name: 'it runs past midnight into Sunday', windows: [saturdayNight], at: '2026-11-29T01:59:59', expected: true },
    { name: 'it ends at 02:00 WIB on Sunday', windows: [saturdayNight], at: '2026-11-29T02:00:00', expected: false },
    { name: 'it does not start on Friday night', windows: [saturdayNight], at: '2026-11-27T23:00:00', expected: false },
    { name: 'it recurs the next Saturday', windows: [saturdayNight], at: '2026-12-05T23:30:00', expected: true },
    { name: 'a one-off window covers its start', windows: [oneOff], at: '2026-12-02T09:00:00', expected: true },
    { name: 'a one-off window ends before its end', windows: [oneOff], at: '2026-12-02T11:30:00', expected: false },
    { name: 'a one-off window does not recur', windows: [oneOff], at: '2026-12-09T10:00:00', expected: false },
    { name: 'a window for the service covers its checks', windows: [window(oneOff.schedule, { serviceKey: 'skm' })], at: '2026-12-02T10:00:00', expected: true },
    { name: 'a window for another service does not', windows: [window(oneOff.schedule, { serviceKey: 'pengaduan' })], at: '2026-12-02T10:00:00', expected: false },
    {
      name: 'a window for another check of the service does not',
      windows: [window(oneOff.schedule, { serviceKey: 'skm', checkKey: 'skm-home' })],
      at: '2026-12-02T10:00:00',
      expected: false,
    },
    { name: 'a window for the check covers it', windows: [window(oneOff.schedule, { checkKey: 'skm-form' })], at: '2026-12-02T10:00:00', expected: true },
  ];
  it.each(cases)('$name', ({ windows, at, expected }) => {
    expect(isInMaintenance(windows, skmForm, wib(at), TZ)).toBe(expected);
  });
});

describe('maintenanceIntervals', () => {
  const intervals = (windows: MaintenanceWindow[], from: string, to: string) =>
    maintenanceIntervals(windows, skmForm, wib(from), wib(to), TZ).map((i) => [new Date(i.start).toISOString(), new Date(i.end).toISOString()]);

  it('clips an occurrence that began on the previous local day', () => {
    expect(intervals([saturdayNight], '2026-11-29T00:00:00', '2026-11-29T12:00:00')).toEqual([['2026-11-28T17:00:00.000Z', '2026-11-28T19:00:00.000Z']]);
  });

  it('lists every weekly occurrence in a range, in UTC', () => {
    expect(intervals([saturdayNight], '2026-11-23T00:00:00', '2026-12-07T00:00:00')).toEqual([
      ['2026-11-28T15:00:00.000Z', '2026-11-28T19:00:00.000Z'],
      ['2026-12-05T15:00:00.000Z', '2026-12-05T19:00:00.000Z'],
    ]);
  });

  it('merges overlapping windows and leaves out windows for other checks', () => {
    const overlapping = window({ recurrence: 'none', startsAt: wib('2026-11-29T01:00:00'), endsAt: wib('2026-11-29T03:00:00') }, { serviceKey: 'skm' }, 2);
    const elsewhere = window({ recurrence: 'none', startsAt: wib('2026-11-29T05:00:00'), endsAt: wib('2026-11-29T06:00:00') }, { checkKey: 'skm-home' }, 3);
    expect(intervals([saturdayNight, overlapping, elsewhere], '2026-11-28T00:00:00', '2026-11-30T00:00:00')).toEqual([['2026-11-28T15:00:00.000Z', '2026-11-28T20:00:00.000Z']]);
  });
});

describe('parseWindowTime', () => {
  it.each([
    { text: '2026-12-05T22:00', expected: '2026-12-05T15:00:00.000Z' },
    { text: '2026-12-05T22:00:30', expected: '2026-12-05T15:00:30.000Z' },
    { text: '2026-12-05T15:00:00Z', expected: '2026-12-05T15:00:00.000Z' },
    { text: '2026-12-05T22:00:00+07:00', expected: '2026-12-05T15:00:00.000Z' },
    { text: '2026-02-30T10:00', expected: undefined },
    { text: 'next saturday', expected: undefined },
    { text: '2026-12-05', expected: undefined },
  ])('reads $text in WIB as $expected', ({ text, expected }) => {
    expect(parseWindowTime(text, TZ)?.toISOString()).toBe(expected);
  });
});

describe('rollUpHours with maintenance', () => {
  const sample = (at: string, status: RollupSample['status']): RollupSample => ({ startedAt: new Date(`2026-11-28T${at}Z`), status, durationMs: 100 });
  it('counts covered time inside a window as maintenance, out of observed and down time', () => {
    // Results every minute from 14:58Z; the Saturday 22:00 WIB window starts at 15:00Z.
    const samples = [sample('14:58:00', 'up'), sample('14:59:00', 'down'), sample('15:00:00', 'down'), sample('15:01:00', 'down')];
    const maintenance = maintenanceIntervals([saturdayNight], skmForm, new Date('2026-11-28T14:00:00Z'), new Date('2026-11-28T15:02:00Z'), TZ);
    const hours = rollUpHours(samples, { intervalMs: 60_000, from: new Date('2026-11-28T14:00:00Z'), to: new Date('2026-11-28T15:02:00Z'), maintenance });
    expect(
      hours.map((h) => ({ start: h.bucketStart.toISOString(), probes: h.probes, down: h.down, downMs: h.downMs, observedMs: h.observedMs, maintenanceMs: h.maintenanceMs })),
    ).toEqual([
      { start: '2026-11-28T14:00:00.000Z', probes: 2, down: 1, downMs: 60_000, observedMs: 120_000, maintenanceMs: 0 },
      // 15:00-15:02 is covered by two down results, all of it maintenance
      { start: '2026-11-28T15:00:00.000Z', probes: 2, down: 2, downMs: 0, observedMs: 0, maintenanceMs: 120_000 },
    ]);
  });
});
