// BOOTSTRAP_ADMIN_PASSWORD, the first admin's password on a new database, needs 12 characters: a
// shorter one stops the start with a clear message naming it.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.js';

function problemsWith(password: string): string[] {
  try {
    parseConfig('services: []\n', 'sigap.yaml', { BOOTSTRAP_ADMIN_PASSWORD: password });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('BOOTSTRAP_ADMIN_PASSWORD', () => {
  it('refuses 11 characters, naming the variable and the rule', () => {
    const problems = problemsWith('abcdefghijk');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/BOOTSTRAP_ADMIN_PASSWORD/);
    expect(problems[0]).toMatch(/at least 12 characters/);
  });

  it('accepts 12 characters', () => {
    expect(problemsWith('abcdefghijkl')).toEqual([]);
  });
});
