// Every route the fuzz test attacks: the JSON API from the OpenAPI registry (with the zod body
// each one validates with) and the HTML pages and forms, which the registry does not list.
import { parse as parseForm } from 'node:querystring';
import { z } from 'zod';
import { API_OPERATIONS } from '../../api/openapi.js';

export interface FuzzRoute {
  method: string;
  /** OpenAPI style: /api/incidents/{ref}/note. */
  template: string;
  api: boolean;
  /** The JSON body the route validates with. */
  body?: z.ZodType;
  /** Field names of the route's query schema, to aim odd values at. */
  queryFields: readonly string[];
  /** A form that creates or changes something: the fields it reads (all sent repeated, it must refuse them). */
  formFields?: readonly string[];
  /** Ends the session it is called with: never sent with a working session. */
  endsSession?: true;
}

// zod 4 keeps refinements on the object itself, so a query schema is a ZodObject.
const fieldsOf = (schema: z.ZodType | undefined): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape as object) : []);

const apiRoutes: FuzzRoute[] = API_OPERATIONS.map((op) => ({
  method: op.method.toUpperCase(),
  template: op.path,
  api: op.path.startsWith('/api'),
  ...(op.body ? { body: op.body } : {}),
  queryFields: fieldsOf(op.query),
  ...(op.method === 'delete' && op.path === '/api/session' ? { endsSession: true as const } : {}),
}));

const page = (method: string, template: string, extra: Partial<FuzzRoute> = {}): FuzzRoute => ({ method, template, api: false, queryFields: [], ...extra });

const pageRoutes: FuzzRoute[] = [
  page('GET', '/', { queryFields: ['status', 'priority', 'service', 'category', 'reportedVia', 'q', 'view', 'cursor', 'lang'] }),
  page('GET', '/login', { queryFields: ['next', 'lang'] }),
  page('POST', '/login', { formFields: ['username', 'password', '_csrf', 'next'] }),
  page('POST', '/logout', { endsSession: true }),
  page('GET', '/incidents/new'),
  page('POST', '/incidents/new', {
    formFields: [
      'service',
      'title',
      'description',
      'impact',
      'urgency',
      'category',
      'subcategory',
      'reporterName',
      'reporterContact',
      'reportedVia',
      'reportedAt',
      'informReporter',
    ],
  }),
  page('GET', '/incidents/{ref}', { queryFields: ['lang'] }),
  page('POST', '/incidents/{ref}/actions/{action}'),
  page('POST', '/incidents/{ref}/known-error'),
  page('POST', '/incidents/{ref}/suggestion-helped'),
  page('POST', '/incidents/{ref}/inform-reporter', { formFields: ['informReporter', 'note'] }),
  page('POST', '/incidents/{ref}/accept-baseline', { formFields: ['snapshot'] }),
  page('GET', '/services'),
  page('POST', '/services/checks', { formFields: ['service', 'definition'] }),
  page('POST', '/services/checks/{key}'),
  page('POST', '/services/checks/{key}/accept-baseline', { formFields: ['snapshot'] }),
  page('POST', '/services/checks/{key}/enable'),
  page('POST', '/services/checks/{key}/disable'),
  page('GET', '/maintenance'),
  page('POST', '/maintenance', { formFields: ['title', 'service', 'check', 'recurrence', 'startsAt', 'endsAt', 'start', 'durationMinutes'] }),
  page('POST', '/maintenance/{id}/delete'),
  page('GET', '/known-errors', { queryFields: ['q', 'category'] }),
  page('GET', '/notifications'),
  page('POST', '/notifications/{id}/retry'),
  page('GET', '/users'),
  page('GET', '/audit', { queryFields: ['from', 'to', 'action', 'actor', 'target', 'cursor', 'lang'] }),
  page('POST', '/users', { formFields: ['username', 'displayName', 'role', 'email', 'language', 'password'] }),
  page('POST', '/users/tokens', { formFields: ['name', 'username', 'scope', 'expiresOn'] }),
  page('POST', '/users/tokens/{id}/revoke'),
  page('POST', '/users/{username}/edit'),
  page('POST', '/users/{username}/password'),
  page('GET', '/me', { queryFields: ['saved'] }),
  page('POST', '/me', { formFields: ['displayName', 'email', 'language'] }),
  page('POST', '/me/password', { formFields: ['currentPassword', 'newPassword', 'newPasswordAgain'] }),
  page('GET', '/sop'),
  page('GET', '/reports', { queryFields: ['month'] }),
  page('GET', '/status'),
  page('GET', '/status.json'),
  page('GET', '/metrics'),
];

export const FUZZ_ROUTES: readonly FuzzRoute[] = [...apiRoutes, ...pageRoutes];

export const hasParams = (route: FuzzRoute) => route.template.includes('{');

/** What express.json / express.urlencoded would hand the route, as far as the test can tell. */
function parsedBody(contentType: string | undefined, body: Buffer | undefined): { parsed: unknown } | 'unparseable' {
  if (!body || body.length === 0) return { parsed: undefined };
  const type = (contentType ?? '').toLowerCase();
  // As the server's parser reads them: one media type (a list such as "application/json, text/html"
  // is no JSON type, and its body goes unread), and a leading byte-order mark skipped.
  if (/^\s*application\/([\w.-]+\+)?json\s*(;[^,]*)?$/.test(type)) {
    try {
      return { parsed: JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')) };
    } catch {
      return 'unparseable';
    }
  }
  if (/^\s*application\/x-www-form-urlencoded\b/.test(type)) return { parsed: parseForm(body.toString('utf8')) };
  return { parsed: undefined };
}

/**
 * Whether a request with working credentials is certain to be refused: the fuzz sends only
 * malformed requests, so one that a route might accept (a form whose arrays are dropped, a body
 * that happens to fit the schema, a route that needs no body) is aimed elsewhere instead.
 */
export function surelyRefused(route: FuzzRoute, contentType: string | undefined, body: Buffer | undefined): boolean {
  const seen = parsedBody(contentType, body);
  if (seen === 'unparseable') return true;
  const value = seen.parsed;
  if (route.api) {
    if (!route.body) return false;
    const candidate = value ?? {};
    if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return true;
    return !route.body.safeParse(candidate).success;
  }
  if (!route.formFields || !/^\s*application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) return false;
  const form = (value ?? {}) as Record<string, unknown>;
  return route.formFields.every((field) => Array.isArray(form[field]));
}
