// `notifications.reporters`: which channels tell the reporter of a manual incident, on which
// events. Absent: nobody is told. A channel key that is not configured is an error naming the field.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.js';

const base = (reporters: string) => `notifications:
  smtp: { host: smtp.example, from: sigap@dpmptsp.example }
  channels:
    - { key: warga-mail, type: email, to: [arsip@dpmptsp.example] }
${reporters}`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'sigap.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the config was accepted');
}

describe('notifications.reporters', () => {
  it('is off when absent', () => {
    expect(parseConfig(base(''), 'sigap.yaml', {}).notifications.reporters).toBeNull();
  });

  it('names its channels and events; the events default to resolved and closed', () => {
    expect(parseConfig(base('  reporters: { notify: [warga-mail] }\n'), 'sigap.yaml', {}).notifications.reporters).toEqual({
      notify: ['warga-mail'],
      events: ['resolved', 'closed'],
    });
    expect(parseConfig(base('  reporters: { notify: [warga-mail], events: [closed] }\n'), 'sigap.yaml', {}).notifications.reporters).toEqual({
      notify: ['warga-mail'],
      events: ['closed'],
    });
  });

  it('refuses a channel that is not configured, an event a reporter is not told of, and an empty list, naming each field', () => {
    expect(problemsOf(base('  reporters: { notify: [warga-mail, wa-warga], events: [resolved, opened] }\n')).sort()).toEqual(
      [
        'sigap.yaml: notifications.reporters.events[1]: must be one of resolved, closed',
        'sigap.yaml: notifications.reporters.notify[1]: no channel has the key "wa-warga" (channels: warga-mail)',
      ].sort(),
    );
    expect(problemsOf(base('  reporters: { notify: [] }\n'))).toEqual(['sigap.yaml: notifications.reporters.notify: must name at least one channel']);
  });
});
