import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { NotFoundError } from '../../detector/errors.js';
import { INCIDENT_ACTIONS, PERSON_CLOSURE_CODES, RESOLUTION_CODES, type ActionInput, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import { INCIDENT_STATES } from '../../detector/incidents/lifecycle.js';
import { servicesOverview } from '../../detector/reporting/service-overview.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import { incidentDetailJson, incidentJson } from '../presenters.js';
import { parseBody, parseQuery } from '../validation.js';

/** `a,b` or repeated parameters → a list of allowed values. */
const listOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `must be one or more of ${values.join(', ')}` })))
    .optional();

export const queueQuery = z.object({
  status: listOf(INCIDENT_STATES),
  priority: listOf(['P1', 'P2', 'P3', 'P4', 'P5']),
  service: z.string().max(64).optional(),
  category: z.string().max(40).optional(),
  q: z.string().max(200).optional(),
  assignee: z.string().max(64).optional(),
  breached: z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], error: 'must be true, false, 1 or 0' }).optional(),
  group: z.enum(['service_desk', 'support', 'vendor']).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1 to 200').max(200, 'must be 1 to 200').default(50),
  cursor: z.string().max(500).optional(),
});

export const resultsQuery = z.object({
  from: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time' }).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

const LEVELS = ['high', 'medium', 'low'] as const;
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const note = text(5000);

export const actionBodies: Record<IncidentAction, z.ZodType> = {
  acknowledge: z.object({ note: note.optional() }).strict(),
  assign: z.object({ assignee: text(64), note: note.optional() }).strict(),
  note: z.object({ note }).strict(),
  reprioritize: z
    .object({ impact: z.enum(LEVELS).optional(), urgency: z.enum(LEVELS).optional(), reason: note })
    .strict()
    .refine((b) => b.impact !== undefined || b.urgency !== undefined, { path: ['impact'], message: 'give impact, urgency or both' }),
  escalate: z.object({ level: z.number().int().min(1, 'must be 1 or 2').max(2, 'must be 1 or 2').optional(), note }).strict(),
  escalate_management: z.object({ note }).strict(),
  pending: z.object({ reason: note }).strict(),
  resume: z.object({ note: note.optional() }).strict(),
  resolve: z.object({ resolutionCode: z.enum(RESOLUTION_CODES), note }).strict(),
  close: z.object({ closureCode: z.enum(PERSON_CLOSURE_CODES, { error: `must be one of ${PERSON_CLOSURE_CODES.join(', ')} (auto_closed is Sigap's own)` }), note: note.optional() }).strict(),
  reopen: z.object({ reason: note }).strict(),
  cancel: z.object({ reason: note }).strict(),
};

const isAction = (name: string): name is IncidentAction => (INCIDENT_ACTIONS as readonly string[]).includes(name);

const categories = Object.keys(TAXONOMY) as [string, ...string[]];
export const manualIncident = z
  .object({
    service: text(64),
    title: text(300),
    description: text(10_000),
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
    category: z.enum(categories, { error: `must be one of ${categories.join(', ')}` }),
    subcategory: text(40),
    reporter: z.object({ name: text(200), contact: text(200).nullable().default(null) }).strict(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const allowed = TAXONOMY[b.category] ?? [];
    if (!allowed.includes(b.subcategory)) ctx.addIssue({ code: 'custom', path: ['subcategory'], message: `must be one of ${allowed.join(', ')} for ${b.category}` });
  });

export function incidentRoutes({ db, incidents, clock, availability }: AppDeps): Router {
  const router = Router();

  router.get('/api/incidents', requireApiUser(), async (req, res) => {
    const query = parseQuery(queueQuery, req.query);
    const { limit, cursor, group, ...filter } = query;
    const page = await incidents.queries.list(req.auth!.user, { ...filter, ...(group ? { assignedGroup: group } : {}) }, limit, cursor ?? null);
    res.json({ items: page.items.map(incidentJson), nextCursor: page.nextCursor });
  });

  router.post('/api/incidents', requireApiUser('service_desk', 'support', 'admin'), async (req, res) => {
    const input = parseBody(manualIncident, req.body);
    res.status(201).json(incidentDetailJson(await incidents.commands.logManual(req.auth!.user, input)));
  });

  router.get('/api/incidents/:ref', requireApiUser(), async (req, res) => {
    res.json(incidentDetailJson(await incidents.queries.get(req.auth!.user, String(req.params.ref))));
  });

  router.post('/api/incidents/:ref/:action', requireApiUser(), async (req, res) => {
    const action = String(req.params.action);
    if (!isAction(action)) throw new NotFoundError(`incident action "${action}" (one of ${INCIDENT_ACTIONS.join(', ')})`);
    // Actions whose fields are all optional may be sent without a body.
    const body = parseBody(actionBodies[action], req.body ?? {}) as object;
    const input = { ...body, action } as ActionInput;
    res.json(incidentDetailJson(await incidents.commands.act(req.auth!.user, String(req.params.ref), input)));
  });

  router.get('/api/services', requireApiUser(), async (_req, res) => {
    const overview = await servicesOverview(db, availability, clock());
    res.json({
      items: overview.map(({ service, state, checks, availability }) => ({
        key: service.key,
        name: service.name,
        impact: service.impact,
        state,
        availability,
        checks: checks.map(({ check, availability: checkAvailability }) => ({
          key: check.key,
          type: check.type,
          target: check.target,
          state: check.state,
          consecutiveFailures: check.consecutiveFailures,
          consecutiveSuccesses: check.consecutiveSuccesses,
          lastResultAt: check.lastResultAt?.toISOString() ?? null,
          lastStateChangeAt: check.lastStateChangeAt?.toISOString() ?? null,
          availability: checkAvailability,
        })),
      })),
    });
  });

  router.get('/api/checks/:key/results', requireApiUser(), async (req, res) => {
    const { from, to, limit } = parseQuery(resultsQuery, req.query);
    const end = to ? new Date(to) : clock();
    const start = from ? new Date(from) : new Date(end.getTime() - 86_400_000);
    const key = String(req.params.key);
    if (!(await db.stores.checks.getCheck(key))) throw new NotFoundError(`check ${key}`);
    const results = await db.stores.checks.listResults(key, start, end, limit);
    res.json({
      items: results.map((r) => ({ ...r, id: undefined, startedAt: r.startedAt.toISOString() })),
    });
  });

  return router;
}
