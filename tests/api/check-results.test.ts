// GET /api/checks/:key/results in pages: newest first, at most 500 results an answer, a cursor to
// the next (older) page that neither skips nor repeats a result, even among results started in the
// same millisecond; a bad limit or cursor is refused naming the field. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../probes/probe-types.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const YAML = `
services:
  - key: skm
    name: SKM
    impact: low
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:9/skm" }
`;
const BASE = Date.parse('2026-11-30T01:00:00Z');
const COUNT = 1200;
// Three more results started in the same millisecond as result 700, which sits at the first
// page's end when read newest first.
const TIED_AT = 700;

interface ResultJson {
  /** Each result's own, as a label (the API shows no row id). */
  durationMs: number;
  startedAt: string;
  status: string;
}
interface ErrorJson {
  error: { code: string; details: Array<{ path: string; message: string }> };
}

function result(at: number, label: number, status: ProbeResult['status']): ProbeResult {
  return {
    checkKey: 'skm-form',
    startedAt: new Date(at),
    durationMs: label,
    status,
    failureKind: status === 'up' ? null : 'http_5xx',
    timings: { processing: 10 },
    evidence: status === 'up' ? { statusCode: 200 } : { statusCode: 500, bodyExcerpt: 'Fatal error' },
  };
}

describe.each(testDatabaseKinds())('probe results in pages, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let session: { cookie: string };
  const window = `from=${new Date(BASE - 1000).toISOString()}&to=${new Date(BASE + COUNT * 1000).toISOString()}`;

  const get = async <T>(query: string) => {
    const res = await fetch(`${sigap.url}/api/checks/skm-form/results?${query}`, { headers: { cookie: session.cookie } });
    return { status: res.status, json: (await res.json()) as T };
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0 } });
    session = await logIn(sigap.url!);
    const checkId = (await sigap.db.stores.checks.getCheck('skm-form'))!.id;
    const times = [...Array.from({ length: COUNT }, (_, i) => BASE + i * 1000), ...[1, 2, 3].map(() => BASE + TIED_AT * 1000)];
    for (let i = 0; i < times.length; i += 300) {
      const batch = times.slice(i, i + 300).map((at, j) => ({ checkId, result: result(at, i + j, (i + j) % 7 === 0 ? 'down' : 'up'), instance: 'test' }));
      await sigap.db.stores.checks.insertResults(batch);
    }
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('answers at most 500 results, newest first, and a cursor that walks back through every result once', async () => {
    const pages: ResultJson[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? window : `${window}&cursor=${encodeURIComponent(cursor)}`;
      const { status, json } = await get<{ items: ResultJson[]; nextCursor: string | null }>(query);
      expect(status).toBe(200);
      pages.push(json.items);
      cursor = json.nextCursor;
    } while (cursor !== null && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([500, 500, 203]);
    const all = pages.flat();
    expect(all.map((r) => r.durationMs).sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT + 3 }, (_, i) => i));
    const times = all.map((r) => Date.parse(r.startedAt));
    times.slice(1).forEach((at, i) => expect(at, `result ${i + 1} is not newer than the one before`).toBeLessThanOrEqual(times[i]!));
    expect(all[0]!.startedAt).toBe(new Date(BASE + (COUNT - 1) * 1000).toISOString());
    expect(all.at(-1)!.startedAt).toBe(new Date(BASE).toISOString());
    // The tied results straddle the first page's end.
    const tiedAt = new Date(BASE + TIED_AT * 1000).toISOString();
    expect(pages[0]!.filter((r) => r.startedAt === tiedAt).length).toBeGreaterThan(0);
    expect(pages[1]!.filter((r) => r.startedAt === tiedAt).length).toBeGreaterThan(0);
  });

  it('answers fewer with a smaller limit', async () => {
    const { status, json } = await get<{ items: ResultJson[]; nextCursor: string | null }>(`${window}&limit=10`);
    expect(status).toBe(200);
    expect(json.items).toHaveLength(10);
    expect(json.nextCursor).toEqual(expect.any(String));
  });

  it.each(['0', '501', '10000', 'abc', '2.5'])('refuses limit=%s, naming the field', async (limit) => {
    const { status, json } = await get<ErrorJson>(`${window}&limit=${limit}`);
    expect(status).toBe(422);
    expect(json.error.code).toBe('validation_failed');
    expect(json.error.details.map((d) => d.path)).toEqual(['limit']);
  });

  it.each(['garbage', Buffer.from('[1,"x"]').toString('base64url')])('refuses a cursor it did not give (%s), naming the field', async (cursor) => {
    const { status, json } = await get<ErrorJson>(`${window}&cursor=${cursor}`);
    expect(status).toBe(422);
    expect(json.error.details.map((d) => d.path)).toEqual(['cursor']);
  });
});
