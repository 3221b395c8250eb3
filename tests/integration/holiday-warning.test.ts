// At start Sigap warns, once and clearly, when this year or the next has no holiday at all: SLA
// clocks on office time would otherwise count national holidays as working days.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

/** A pino logger whose lines are kept as parsed objects. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string; years?: number[] }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const NOW = new Date('2026-12-03T03:00:00Z');

describe.each(testDatabaseKinds())('the start-up holiday warning on $name', (kind) => {
  let database: TestDatabase | undefined;
  let stop: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await stop?.();
    await database?.drop();
    stop = undefined;
    database = undefined;
  });

  async function start(holidays: string) {
    database = await kind.create();
    const { logger, lines } = capturingLogger();
    const sigap = await startTestSigap({
      databaseUrl: database.url,
      yaml: `holidays: ${holidays}\nservices: []\n`,
      start: { logger, clock: () => NOW, slaSweepMs: 0, dispatchMs: 0 },
    });
    stop = () => sigap.stop();
    return lines.filter((l) => l.level === 40 && l.msg.includes('no holidays configured'));
  }

  it('names the next year once when only this year has holidays', async () => {
    const warnings = await start('[2026-12-25]');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.years).toEqual([2027]);
    expect(warnings[0]!.msg).toMatch(/^no holidays configured for 2027: .*cuti bersama.*holidays: in test\.yaml/);
  });

  it('names both years when there is no holiday at all', async () => {
    const warnings = await start('[]');
    expect(warnings.map((w) => w.years)).toEqual([[2026, 2027]]);
  });

  it('says nothing when both years have holidays', async () => {
    expect(await start('[2026-12-25, 2027-01-01]')).toEqual([]);
  });
});
