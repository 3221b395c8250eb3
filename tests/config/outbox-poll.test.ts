// SIGAP_OUTBOX_POLL: how often the notification dispatcher looks for due rows besides being woken.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.js';

describe('SIGAP_OUTBOX_POLL: the dispatcher’s safety-net poll', () => {
  it('is one second unless set, and a duration when set', () => {
    expect(parseConfig('services: []\n', 'sigap.yaml', {}).outboxPollMs).toBe(1_000);
    expect(parseConfig('services: []\n', 'sigap.yaml', { SIGAP_OUTBOX_POLL: '1m' }).outboxPollMs).toBe(60_000);
  });

  it.each(['soon', '50ms', '0s'])('stops the start for SIGAP_OUTBOX_POLL=%s, naming the variable', (value) => {
    let problems: string[] = [];
    try {
      parseConfig('services: []\n', 'sigap.yaml', { SIGAP_OUTBOX_POLL: value });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SIGAP_OUTBOX_POLL');
  });
});
