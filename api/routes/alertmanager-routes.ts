// POST /api/alertmanager: Alertmanager's webhook (payload version 4), for a bearer token only —
// Alertmanager is a script, never a browser session.
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { ForbiddenError, UnauthenticatedError } from '../../detector/errors.js';
import type { ReceivedAlert } from '../../detector/incidents/alert-service.js';
import { parseBody } from '../validation.js';

export const MAX_ALERTS = 1000;

const time = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' });
const labelSet = z.record(z.string(), z.string({ error: 'must be a string' }));

// Alertmanager sends more than Sigap reads (groupKey, receiver, …): unknown fields are allowed.
const alert = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().max(2000).default(''),
  fingerprint: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

export const webhook = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  alerts: z.array(alert).min(1, 'must hold at least one alert').max(MAX_ALERTS, `must hold at most ${MAX_ALERTS} alerts`),
});

// Go's zero time: Alertmanager's endsAt of an alert with no end known.
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

function toReceived(a: z.output<typeof alert>): ReceivedAlert {
  const endsAt = a.endsAt ? new Date(a.endsAt) : null;
  return {
    status: a.status,
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt),
    endsAt: endsAt && endsAt.getTime() > ZERO_TIME_MS ? endsAt : null,
    generatorURL: a.generatorURL,
  };
}

/** 401 without credentials, 403 for a browser session. */
const requireToken: RequestHandler = (req, _res, next) => {
  if (!req.auth) throw new UnauthenticatedError('send an API token: Authorization: Bearer …');
  if (req.auth.via !== 'token') throw new ForbiddenError('the Alertmanager webhook takes an API token, not a session');
  next();
};

export function alertmanagerRoutes({ alerts }: AppDeps): Router {
  const router = Router();

  router.post('/api/alertmanager', requireToken, requireApiUser('service_desk', 'support', 'admin'), async (req, res) => {
    const payload = parseBody(webhook, req.body);
    res.json(await alerts.receive(req.auth!.user, payload.alerts.map(toReceived)));
  });

  return router;
}
