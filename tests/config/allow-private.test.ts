// `allowPrivate` on a check: a boolean, false unless set, handed to the probe target; the same
// rules for a check in sigap.yaml and one defined on the dashboard.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseCheckDefinition, parseConfig } from '../../config.js';

const withChecks = (...checks: string[]) =>
  `services:\n  - key: metadata\n    name: Metadata\n    impact: low\n    checks:\n${checks.map((check) => `      - ${check}\n`).join('')}`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'sigap.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('allowPrivate', () => {
  it('is false unless a check sets it, and reaches the http, tcp and tls probe targets', () => {
    const config = parseConfig(
      withChecks(
        '{ key: plain, type: http, url: "http://169.254.169.254/" }',
        '{ key: web, type: http, url: "http://169.254.169.254/", allowPrivate: true }',
        '{ key: port, type: tcp, target: "169.254.169.254:80", allowPrivate: true }',
        '{ key: cert, type: tls, target: "169.254.169.254:443", allowPrivate: true }',
      ),
      'sigap.yaml',
      {},
    );
    expect(config.services[0]!.checks.map((check) => [check.key, (check.target as { allowPrivate?: boolean }).allowPrivate])).toEqual([
      ['plain', false],
      ['web', true],
      ['port', true],
      ['cert', true],
    ]);
  });

  it('must be true or false, and a dns check (which connects nowhere) has none', () => {
    expect(problemsOf(withChecks('{ key: web, type: http, url: "http://10.0.0.1/", allowPrivate: "yes" }'))).toEqual([
      'sigap.yaml: services[0].checks[0].allowPrivate: must be true or false',
    ]);
    expect(problemsOf(withChecks('{ key: name, type: dns, name: skm.example, allowPrivate: true }'))).toEqual(['sigap.yaml: services[0].checks[0].allowPrivate: unknown key']);
  });

  it('is validated the same way for a check defined on the dashboard', () => {
    expect(parseCheckDefinition('metadata', { key: 'web', type: 'http', url: 'http://169.254.169.254/', allowPrivate: 1 })).toEqual({
      problems: [{ path: 'allowPrivate', message: 'must be true or false' }],
    });
    const defined = parseCheckDefinition('metadata', { key: 'port', type: 'tcp', target: '169.254.169.254:80', allowPrivate: true });
    expect(defined.check?.target).toMatchObject({ type: 'tcp', host: '169.254.169.254', port: 80, allowPrivate: true });
  });
});
