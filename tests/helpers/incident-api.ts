// Callers of the incident API for tests: one user per role, each with an API token (tokens do not
// expire, so tests may move an injected clock across weekends).
import { expect } from 'vitest';
import type { UserRole } from '../../detector/accounts/account-types.js';
import type { ManualIncidentInput } from '../../detector/incidents/incident-commands.js';
import type { startTestSigap } from './sigap-harness.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

// Office hours with a lunch break, Friday's longer for the Friday prayer.
export const INCIDENT_TEST_YAML = `
timezone: Asia/Jakarta
businessHours:
  mon-thu: "07:30-12:00,13:00-16:00"
  fri: "07:30-11:30,13:00-16:30"
holidays: [2026-12-25]
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;

export interface ApiAnswer {
  status: number;
  // Assertions read into the answer freely; expect() checks its shape.
  json: any;
}

export interface Caller {
  username: string;
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  act(ref: string, action: string, body?: unknown): Promise<ApiAnswer>;
}

export async function callerFor(sigap: Started, username: string, role: UserRole): Promise<Caller> {
  const user =
    username === 'admin'
      ? (await sigap.db.stores.accounts.findUserByUsername('admin'))!
      : await sigap.accounts.createUser({ username, displayName: username, role, password: `${username}-password` });
  const { token } = await sigap.accounts.createToken(user, `${username}-tests`);
  const call = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  return { username, call, act: (ref, action, body) => call('POST', `/api/incidents/${ref}/${action}`, body) };
}

export const REPORT = {
  service: 'skm',
  title: 'Formulir SKM tidak bisa dikirim',
  description: 'Pelapor menelepon: tombol kirim tidak merespons.',
  impact: 'medium',
  urgency: 'medium',
  category: 'application',
  subcategory: 'form-submission',
  reporter: { name: 'Ibu Sari', contact: '0812-0000-0000' },
};

/** A complaint-site outage a citizen phoned in: the notification tests' incident, logged through the commands. */
export const OUTAGE_REPORT: ManualIncidentInput = {
  service: 'pengaduan',
  title: 'Formulir pengaduan menolak kiriman',
  description: 'Warga menelepon.',
  impact: 'high',
  urgency: 'high',
  category: 'availability',
  subcategory: 'outage',
  reporter: { name: 'Pak Budi', contact: null },
};

/** Log an incident by hand and answer its ref. */
export async function logIncident(caller: Caller, overrides: Record<string, unknown> = {}): Promise<string> {
  const { status, json } = await caller.call('POST', '/api/incidents', { ...REPORT, ...overrides });
  expect(status, JSON.stringify(json)).toBe(201);
  return json.ref as string;
}

/** Apply actions in order, each expected to succeed. */
export async function drive(caller: Caller, ref: string, steps: ReadonlyArray<readonly [string, unknown?]>): Promise<void> {
  for (const [action, body] of steps) {
    const { status, json } = await caller.act(ref, action, body ?? {});
    expect(status, `${action}: ${JSON.stringify(json)}`).toBe(200);
  }
}
