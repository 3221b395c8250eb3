// The OpenAPI document is generated from the schemas that validate requests: every API route is in
// it, nothing it lists is missing from the app, and what its schemas accept the API accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INCIDENT_ACTIONS } from '../../detector/incidents/incident-actions.js';
import { callerFor, INCIDENT_TEST_YAML, logIncident, REPORT, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;
type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { securitySchemes: Record<string, unknown> } };

/** Every `METHOD path` the app registered (main.ts reads them off Express's router stack). */
const routesOf = (sigap: Started): string[] => [...sigap.routes];

const expressPattern = (path: string) => new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}$`);
const documentedOps = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

describe.each(testDatabaseKinds())('the OpenAPI document on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let doc: Doc;
  let admin: Caller;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, start: { slaSweepMs: 0, dispatchMs: 0 } });
    admin = await callerFor(sigap, 'admin', 'admin');
    const res = await fetch(`${sigap.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('is served without log-in as OpenAPI 3.1.0 with session, CSRF and bearer security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerToken', 'csrfHeader', 'sessionCookie']);
    expect(doc.paths['/api/incidents']!.get.security).toEqual([{ sessionCookie: [], csrfHeader: [] }, { bearerToken: [] }]);
    expect(doc.paths['/healthz']!.get.security).toEqual([]);
  });

  it('documents every /api route the app registers, and /healthz and /readyz', () => {
    const registered = routesOf(sigap).filter((r) => / \/api\//.test(r) || / \/(healthz|readyz)$/.test(r));
    const documented = documentedOps(doc);
    const undocumented = registered.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return !documented.some((d) => d.startsWith(`${method} `) && expressPattern(path).test(d.slice(method.length + 1)));
    });
    expect(undocumented).toEqual([]);
    expect(registered).toContain('GET /healthz');
  });

  it('documents nothing the app does not serve, and one operation per lifecycle action', () => {
    const registered = routesOf(sigap);
    const phantom = documentedOps(doc).filter((d) => {
      const [method, path] = d.split(' ') as [string, string];
      return !registered.some((r) => r.startsWith(`${method} `) && expressPattern(r.slice(method.length + 1)).test(path));
    });
    expect(phantom).toEqual([]);
    for (const action of INCIDENT_ACTIONS) expect(doc.paths[`/api/incidents/{ref}/${action}`]?.post, action).toBeDefined();
    expect(doc.paths['/api/incidents/{ref}/close']!.post['x-sigap-roles']).not.toContain('manager');
  });

  it('says which fields a hand-logged incident requires, with the error format on 422', () => {
    const post = doc.paths['/api/incidents']!.post;
    const schema = post.requestBody.content['application/json'].schema;
    expect([...schema.required].sort()).toEqual(['category', 'description', 'impact', 'reporter', 'service', 'subcategory', 'title', 'urgency']);
    expect(schema.properties.impact.enum).toEqual(['high', 'medium', 'low']);
    expect(schema.additionalProperties).toBe(false);
    expect(post.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(post['x-sigap-roles']).toEqual(['service_desk', 'support', 'admin']);
  });

  it('a body the documented schema accepts is accepted by the API; one it rejects gets 422 naming the field', async () => {
    const documented = z.fromJSONSchema(doc.paths['/api/incidents']!.post.requestBody.content['application/json'].schema);
    expect(documented.safeParse(REPORT).success).toBe(true);
    expect((await admin.call('POST', '/api/incidents', REPORT)).status).toBe(201);

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...REPORT, title: undefined }, 'title'],
      [{ ...REPORT, impact: 'huge' }, 'impact'],
      [{ ...REPORT, extra: 1 }, 'extra'],
      [{ ...REPORT, reporter: { contact: 'x' } }, 'reporter.name'],
    ];
    for (const [body, field] of cases) {
      expect(documented.safeParse(body).success, field).toBe(false);
      const { status, json } = await admin.call('POST', '/api/incidents', body);
      expect(status, field).toBe(422);
      expect(
        json.error.details.map((d: { path: string }) => d.path),
        field,
      ).toContain(field);
    }
  });

  it('an empty action body is refused with 422 exactly when the documented schema refuses it', async () => {
    for (const action of INCIDENT_ACTIONS) {
      const ref = await logIncident(admin);
      const documented = z.fromJSONSchema(doc.paths[`/api/incidents/{ref}/${action}`]!.post.requestBody.content['application/json'].schema);
      const { status } = await admin.act(ref, action, {});
      expect(status === 422, `${action}: ${status}`).toBe(!documented.safeParse({}).success);
    }
  });
});
