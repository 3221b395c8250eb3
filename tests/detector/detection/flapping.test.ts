import { describe, expect, it } from 'vitest';
import { addStateChange, changesWithin, isFlapping, isStable, lastChange } from '../../../detector/detection/flapping.js';

const T0 = Date.parse('2026-11-27T01:00:00Z');
const minute = (n: number) => new Date(T0 + n * 60_000);
const minutes = (...ns: number[]) => ns.map(minute);
const WINDOW = 30 * 60_000;
const policy = { changes: 4, windowMs: WINDOW };

describe('flapping windows', () => {
  it.each([
    { name: 'no changes', changes: [], now: 10, flapping: false, stable: true },
    { name: 'three changes in ten minutes are not yet flapping', changes: [0, 5, 10], now: 10, flapping: false, stable: false },
    { name: 'the fourth change within the window flaps', changes: [0, 5, 10, 15], now: 15, flapping: true, stable: false },
    { name: 'four changes spread over more than the window do not', changes: [0, 10, 20, 31], now: 31, flapping: false, stable: false },
    { name: 'a change exactly one window ago has left it', changes: [0, 10, 20, 30], now: 30, flapping: false, stable: false },
    { name: 'six changes in twenty minutes flap', changes: [0, 4, 8, 12, 16, 20], now: 20, flapping: true, stable: false },
    { name: 'the first change ages out: three in the window, yet not stable', changes: [0, 4, 8, 12], now: 41, flapping: false, stable: false },
    { name: 'a whole window without a change is stable', changes: [0, 4, 8, 12], now: 42, flapping: false, stable: true },
    { name: 'a change handled late (after now) keeps it unstable', changes: [0, 12], now: 11, flapping: false, stable: false },
  ])('$name', ({ changes, now, flapping, stable }) => {
    expect(isFlapping(minutes(...changes), minute(now), policy)).toBe(flapping);
    expect(isStable(minutes(...changes), minute(now), WINDOW)).toBe(stable);
  });

  it.each([
    { name: 'adds the change to an empty list', before: [], at: 5, after: [5] },
    { name: 'drops changes older than the window', before: [0, 10, 20], at: 35, after: [10, 20, 35] },
    { name: 'keeps them in order when a change arrives late', before: [10, 20], at: 15, after: [10, 15, 20] },
    { name: 'drops everything before the window', before: [0, 1], at: 60, after: [60] },
  ])('addStateChange $name', ({ before, at, after }) => {
    expect(addStateChange(minutes(...before), minute(at), WINDOW)).toEqual(minutes(...after));
  });

  it('answers the changes inside the window, oldest first, and the last change', () => {
    expect(changesWithin(minutes(40, 5, 20), minute(40), WINDOW)).toEqual(minutes(20, 40));
    expect(lastChange(minutes(40, 5, 20))).toEqual(minute(40));
    expect(lastChange([])).toBeNull();
  });
});
