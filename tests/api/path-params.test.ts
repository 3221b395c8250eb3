// A numeric :id in a path is decimal digits and nothing else: what Number() would also read as a
// number (a sign, an exponent, hex, spaces) names no record.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { idOf } from '../../api/path-params.js';

const withId = (id: string) => ({ params: { id } }) as unknown as Request;

describe('idOf', () => {
  it.each([
    ['4', 4],
    ['1234567', 1234567],
    ['+4', 0],
    ['4e0', 0],
    ['0x4', 0],
    [' 4', 0],
    ['4 ', 0],
    ['04', 0],
    ['4.0', 0],
    ['0', 0],
    ['-1', 0],
    ['99999999999999999999', 0],
    ['', 0],
  ])('reads %j as %d', (raw, expected) => {
    expect(idOf(withId(raw))).toBe(expected);
  });
});
