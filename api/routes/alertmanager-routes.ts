// POST /api/alertmanager: Alertmanager's webhook (payload version 4), for a bearer token only —
// Alertmanager is a script, never a browser session.
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { ForbiddenError, UnauthenticatedError } from '../../detector/errors.js';
import type { ReceivedAlert } from '../../detector/incidents/alert-service.js';
import { webhook, type AlertmanagerAlert } from '../request-schemas.js';
import { parseBody } from '../validation.js';

// Go's zero time: Alertmanager's endsAt of an alert with no end known.
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

function toReceived(a: AlertmanagerAlert): ReceivedAlert {
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

export function alertmanagerRoutes({ incidents: { alerts } }: AppDeps): Router {
  const router = Router();

  router.post('/api/alertmanager', requireToken, requireApiUser('service_desk', 'support', 'admin'), async (req, res) => {
    const payload = parseBody(webhook, req.body);
    res.json(await alerts.receive(req.auth!.user, payload.alerts.map(toReceived)));
  });

  return router;
}
