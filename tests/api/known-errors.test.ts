// Known errors (DESIGN §4): the service desk documents a resolved probe incident — symptoms, cause,
// workaround, resolution — and the next failure of the same check the same way suggests it first;
// which suggestion helped is recorded on the incident. Through the API and the pages, on SQLite
// and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

// One failure confirms, one success restores; nothing probes by itself (web role): the test feeds
// the detector results, an hour in the past (results are hours apart: interval 2h, so none is stale).
const YAML = `
timezone: Asia/Jakarta
policy:
  flapping: { changes: 20 }
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 2h, failureThreshold: 1, successThreshold: 1 }
`;

const SAVED = { symptoms: 'Formulir SKM menolak koneksi (ECONNREFUSED)', cause: 'php-fpm berhenti setelah kehabisan memori', workaround: 'alihkan ke halaman cadangan' };

describe.each(testDatabaseKinds())('known errors through the API and the dashboard, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let manager: Caller;
  let vendor: Caller;
  let first: string;
  let second: string;
  let knownErrorId: number;
  let minute = 0;

  /** A probe result for skm-form, each a minute after the last. */
  async function probe(status: ProbeStatus) {
    minute += 1;
    await sigap.detector.handleResult({
      checkKey: 'skm-form',
      startedAt: new Date(Date.now() - 60 * 60_000 + minute * 60_000),
      durationMs: 3,
      status,
      failureKind: status === 'up' ? null : 'connect',
      timings: { connect: 1 },
      evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
    });
  }

  async function openIncidentRef(): Promise<string> {
    const { json } = await desk.call('GET', '/api/incidents?status=new');
    const open = json.items.filter((i: { check: string }) => i.check === 'skm-form');
    expect(open).toHaveLength(1);
    return open[0].ref as string;
  }

  const page = async (path: string, who: { cookie: string }) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: who.cookie } });
    return { status: res.status, html: await res.text() };
  };
  const form = (path: string, who: { cookie: string; csrfToken: string }, fields: Array<[string, string]>) =>
    fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString(),
    });

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    manager = await callerFor(sigap, 'head1', 'manager');
    vendor = await callerFor(sigap, 'vendor1', 'vendor');
    await probe('down');
    first = await openIncidentRef();
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('refuses to record a known error from an incident that is still open (409)', async () => {
    const { status, json } = await desk.call('POST', `/api/incidents/${first}/known-error`, SAVED);
    expect(status).toBe(409);
    expect(json.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('resolved or closed') });
  });

  it('answers 422 naming every missing or unknown field', async () => {
    await drive(desk, first, [['acknowledge'], ['resolve', { resolutionCode: 'restarted', note: 'php-fpm dijalankan ulang', confirmStillFailing: true }]]);
    const empty = await desk.call('POST', `/api/incidents/${first}/known-error`, {});
    expect(empty.status).toBe(422);
    expect(empty.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['cause', 'symptoms']);
    const wrong = await desk.call('POST', `/api/incidents/${first}/known-error`, { symptoms: 'x', cause: '  ', severity: 'high' });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['cause', 'severity']);
  });

  it('lets only the service desk, support and admin record one (a manager or vendor gets 403)', async () => {
    for (const caller of [manager, vendor]) {
      const { status, json } = await caller.call('POST', `/api/incidents/${first}/known-error`, SAVED);
      expect(status, JSON.stringify(json)).toBe(403);
    }
    expect((await desk.call('POST', '/api/incidents/INC-2000-99999/known-error', SAVED)).status).toBe(404);
  });

  it('records a known error from the resolved probe incident, linked to its check, failure and category, with an event', async () => {
    const { status, json } = await desk.call('POST', `/api/incidents/${first}/known-error`, SAVED);
    expect(status, JSON.stringify(json)).toBe(201);
    const incident = (await desk.call('GET', `/api/incidents/${first}`)).json;
    expect(json).toMatchObject({
      ...SAVED,
      title: incident.title,
      resolution: 'php-fpm dijalankan ulang',
      service: 'skm',
      check: 'skm-form',
      failureKind: 'connect',
      category: 'network',
      subcategory: 'connection',
      sourceRef: first,
      createdBy: 'desk1',
      createdAt: expect.any(String),
    });
    knownErrorId = json.id;
    expect(incident.status).toBe('resolved');
    expect(incident.events.at(-1)).toMatchObject({ type: 'known_error_recorded', actor: 'desk1', fromStatus: 'resolved', toStatus: 'resolved', data: { knownErrorId } });
  });

  it('lists known errors to anyone logged in, searched by words and filtered by category', async () => {
    const all = await manager.call('GET', '/api/known-errors');
    expect(all.status).toBe(200);
    expect(all.json.items).toEqual([expect.objectContaining({ id: knownErrorId, cause: SAVED.cause, sourceRef: first })]);
    expect((await manager.call('GET', '/api/known-errors?q=PHP-FPM')).json.items).toHaveLength(1);
    expect((await manager.call('GET', '/api/known-errors?q=sertifikat')).json.items).toHaveLength(0);
    expect((await manager.call('GET', '/api/known-errors?category=network')).json.items).toHaveLength(1);
    expect((await manager.call('GET', '/api/known-errors?category=security')).json.items).toHaveLength(0);
  });

  it('suggests the known error first when the same check fails the same way again', async () => {
    // Back for the better part of an hour: verified, so it may close.
    await probe('up');
    await drive(desk, first, [['close', { closureCode: 'confirmed' }]]);
    await probe('up');
    await probe('down');
    second = await openIncidentRef();
    expect(second).not.toBe(first);
    const { json } = await desk.call('GET', `/api/incidents/${second}`);
    expect(json.relatedRef).toBe(first);
    expect(json.suggestions[0]).toEqual({
      kind: 'known_error',
      match: 'same_check_and_failure',
      title: expect.any(String),
      ref: null,
      knownErrorId,
      resolution: 'php-fpm dijalankan ulang',
    });
    expect(json.suggestions[1]).toMatchObject({ kind: 'past_incident', match: 'same_check_and_failure', ref: first });
  });

  it('records which suggestion helped, refusing what was not suggested', async () => {
    const helped = await desk.call('POST', `/api/incidents/${second}/suggestion-helped`, { knownErrorId });
    expect(helped.status, JSON.stringify(helped.json)).toBe(201);
    expect(helped.json).toMatchObject({ kind: 'known_error', knownErrorId });
    const pastHelped = await desk.call('POST', `/api/incidents/${second}/suggestion-helped`, { ref: first });
    expect(pastHelped.status).toBe(201);

    const events = (await desk.call('GET', `/api/incidents/${second}`)).json.events.filter((e: { type: string }) => e.type === 'suggestion_helped');
    expect(events).toEqual([
      expect.objectContaining({ actor: 'desk1', fromStatus: 'new', toStatus: 'new', data: expect.objectContaining({ kind: 'known_error', knownErrorId, ref: null }) }),
      expect.objectContaining({ data: expect.objectContaining({ kind: 'past_incident', knownErrorId: null, ref: first }) }),
    ]);

    const notSuggested = await desk.call('POST', `/api/incidents/${second}/suggestion-helped`, { knownErrorId: knownErrorId + 1000 });
    expect(notSuggested.status).toBe(422);
    expect(notSuggested.json.error.details).toEqual([{ path: 'knownErrorId', message: expect.any(String) }]);
    for (const body of [{}, { knownErrorId, ref: first }]) {
      const { status, json } = await desk.call('POST', `/api/incidents/${second}/suggestion-helped`, body);
      expect(status).toBe(422);
      expect(json.error.details.map((d: { path: string }) => d.path)).toEqual(['knownErrorId', 'ref']);
    }
    expect((await manager.call('POST', `/api/incidents/${second}/suggestion-helped`, { knownErrorId })).status).toBe(403);
    // A vendor sees only incidents escalated to it.
    expect((await vendor.call('POST', `/api/incidents/${second}/suggestion-helped`, { knownErrorId })).status).toBe(404);
  });

  it('shows the /known-errors page in Indonesian by default and in English on request', async () => {
    const who = await logIn(sigap.url!, 'head1', 'head1-password');
    const id = await page('/known-errors', who);
    expect(id.status).toBe(200);
    expect(id.html).toContain('Kesalahan yang diketahui');
    expect(id.html).toContain('Penyebab');
    expect(id.html).toContain(SAVED.cause);
    expect(id.html).toContain(`href="/incidents/${first}"`);
    const en = await page('/known-errors?lang=en', who);
    expect(en.html).toContain('Known errors');
    expect(en.html).toContain('Workaround');
    expect(en.html).toContain('alihkan ke halaman cadangan');
    expect((await page('/known-errors?lang=en&q=sertifikat', who)).html).toContain('No known errors yet');
  });

  it('offers "this helped" and "save as known error" on the incident page, as forms that redirect back', async () => {
    const who = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const open = (await page(`/incidents/${second}`, who)).html;
    expect(open).toContain(`action="/incidents/${second}/suggestion-helped"`);
    expect(open).toContain(`name="knownErrorId" value="${knownErrorId}"`);
    expect(open).not.toContain('/known-error"');

    const res = await form(`/incidents/${second}/suggestion-helped`, who, [['knownErrorId', String(knownErrorId)]]);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/incidents/${second}`);
    const timeline = (await page(`/incidents/${second}`, who)).html;
    expect(timeline).toContain('Sebuah saran membantu');

    const closed = (await page(`/incidents/${first}?lang=en`, who)).html;
    expect(closed).toContain(`action="/incidents/${first}/known-error"`);
    expect(closed).toContain('php-fpm dijalankan ulang');
    const saved = await form(`/incidents/${first}/known-error`, who, [
      ['title', 'SKM: php-fpm kehabisan memori'],
      ['symptoms', 'koneksi ditolak'],
      ['cause', 'memory_limit terlalu kecil'],
      ['workaround', ''],
    ]);
    expect(saved.status).toBe(303);
    const items = (await desk.call('GET', '/api/known-errors?q=memory_limit')).json.items;
    expect(items).toEqual([expect.objectContaining({ title: 'SKM: php-fpm kehabisan memori', workaround: '', resolution: 'php-fpm dijalankan ulang', sourceRef: first })]);

    const headPage = (await page(`/incidents/${first}`, await logIn(sigap.url!, 'head1', 'head1-password'))).html;
    expect(headPage).not.toContain('/known-error"');
    expect(headPage).not.toContain('/suggestion-helped"');
  });
});
