// A site that changes on purpose, end to end with the real integrity probe and the real baseline
// store: the first clean run is recorded as the baseline; a redesign (a new title and a link to a
// new partner's domain) opens a security incident; a person accepts what the check sees now, and
// the next runs judge against it — clean, so the service is restored and the incident records
// who accepted what. On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import type { IntegrityBaseline, IntegrityEvidence, IntegritySnapshot } from '../../probes/probe-types.js';
import { startHttpServer, type LocalServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { waitFor } from '../helpers/wait.js';

const page = (title: string, extra: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><h1>DPMPTSP Kabupaten Contoh</h1>` +
  '<p>Layanan perizinan berusaha terpadu satu pintu. Isi survei kepuasan masyarakat setelah dilayani, agar pelayanan kami makin baik.</p>' +
  `<a href="/skm">Survei Kepuasan Masyarakat</a> <a href="https://www.lapor.go.id/">SP4N-LAPOR!</a>${extra}</body></html>`;
const BEFORE = page('DPMPTSP Kabupaten Contoh', '');
const REDESIGN = page('Portal Perizinan Kabupaten Contoh', ' <a href="https://oss.go.id/">OSS RBA</a>');

interface Incident {
  ref: string;
  check: string;
  subcategory: string;
  failureKind: string;
  serviceRestoredAt: string | null;
  evidence: { integrity?: IntegrityEvidence };
}

describe.each(testDatabaseKinds())('a person accepts a changed page as the baseline, on $name', (kind) => {
  let body = BEFORE;
  let site: LocalServer;
  let testDb: TestDatabase;
  let sigap: Sigap;
  let auth: { cookie: string; csrfToken: string };

  const call = async <T>(method: string, path: string, json?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrfToken, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  const baselineView = async () =>
    (await call<{ baseline: IntegrityBaseline | null; latest: { snapshot: IntegritySnapshot; version: string } | null }>('GET', '/api/checks/site-integrity/integrity-baseline'))
      .json;
  const incidents = async () => (await call<{ items: Incident[] }>('GET', '/api/incidents?check=site-integrity')).json.items;

  beforeAll(async () => {
    site = await startHttpServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.url === '/' ? body : 'not found');
    });
    testDb = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `services:
  - key: site
    name: Situs DPMPTSP
    impact: high
    checks:
      - key: site-integrity
        type: integrity
        url: ${site.origin}/
        interval: 2s
        timeout: 1500ms
        retryInterval: 300ms
        failureThreshold: 2
        successThreshold: 2
        allowDomains: [lapor.go.id]
        sitemap: false
`,
    });
    auth = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await site?.stop();
    await testDb?.drop();
  });

  it('records the first clean run as the baseline, by no one', async () => {
    const { baseline } = await waitFor('the first baseline', async () => ((await baselineView()).baseline ? baselineView() : undefined));
    expect(baseline).toMatchObject({ title: 'DPMPTSP Kabupaten Contoh', domains: ['lapor.go.id'], acceptedBy: null });
    expect(await incidents()).toEqual([]);
  });

  it('opens one incident for the redesign, stops the finding once a person accepts it, and restores the service', async () => {
    body = REDESIGN;
    const [opened] = await waitFor('the incident for the changed page', async () => {
      const items = await incidents();
      return items.length > 0 ? items : undefined;
    });
    const findings = opened!.evidence.integrity!.findings;
    expect(findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['foreign_link', 'drift']));
    expect(findings.find((f) => f.kind === 'drift' && f.field === 'title')).toMatchObject({ before: 'DPMPTSP Kabupaten Contoh', after: 'Portal Perizinan Kabupaten Contoh' });
    expect(opened).toMatchObject({ subcategory: 'injected-content', failureKind: 'injected_content', serviceRestoredAt: null });

    const { latest } = await baselineView();
    const accepted = await call<{ baseline: IntegrityBaseline }>('PUT', '/api/checks/site-integrity/integrity-baseline', { snapshot: latest!.version });
    expect(accepted.status).toBe(200);
    expect(accepted.json.baseline).toMatchObject({ title: 'Portal Perizinan Kabupaten Contoh', domains: ['lapor.go.id', 'oss.go.id'], acceptedBy: 'admin' });

    // The accepted baseline's domains are allowed now and nothing drifted: clean re-checks restore the service.
    const restored = await waitFor('restoration after the acceptance', async () => {
      const [incident] = await incidents();
      return incident?.serviceRestoredAt ? incident : undefined;
    });
    expect(restored.ref).toBe(opened!.ref);
    expect(await incidents()).toHaveLength(1);
    const { json } = await call<{ events: Array<{ type: string; actor: string }> }>('GET', `/api/incidents/${opened!.ref}`);
    const types = json.events.map((e) => e.type);
    expect(types).toContain('baseline_accepted');
    expect(types.indexOf('baseline_accepted')).toBeLessThan(types.indexOf('restored'));
    const audit = await call<{ items: Array<{ action: string; target: string }> }>('GET', '/api/audit?action=integrity.baseline_accepted');
    expect(audit.json.items).toEqual([expect.objectContaining({ action: 'integrity.baseline_accepted', target: 'site-integrity' })]);
  });
});
