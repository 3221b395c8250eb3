// The audit log, for admins: GET /api/audit (JSON, or CSV with format=csv or Accept: text/csv)
// and the /audit page. Days are office days; a `to` day is included, a `to` time is not.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import type { AuditFilter } from '../../detector/audit/audit-types.js';
import { auditCsv } from '../../detector/audit/audit-csv.js';
import { ForbiddenError } from '../../detector/errors.js';
import { officeDayStart } from '../../detector/sla/business-calendar.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser, requirePageUser } from '../auth.js';
import { pageContext } from '../page-context.js';
import { auditPageJson } from '../presenters/audit-json.js';
import { auditView } from '../presenters/audit-view.js';
import { auditQuery } from '../request-schemas.js';
import { parseQuery } from '../validation.js';

type AuditQuery = z.output<typeof auditQuery>;

const isDay = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text);

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function filterOf(query: AuditQuery, timezone: string): AuditFilter {
  const instant = (text: string | undefined, dayEnd: boolean) => {
    if (text === undefined) return undefined;
    if (!isDay(text)) return new Date(text);
    return officeDayStart(dayEnd ? nextDay(text) : text, timezone);
  };
  return { from: instant(query.from, false), to: instant(query.to, true), action: query.action, actor: query.actor, target: query.target };
}

const wantsCsv = (req: Request, format: AuditQuery['format']) => format === 'csv' || (format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');

export function auditRoutes({ audit, config }: AppDeps): Router {
  const router = Router();
  const common = pageContext(config.timezone);

  router.get('/api/audit', requireApiUser('admin'), async (req, res) => {
    const query = parseQuery(auditQuery, req.query);
    const page = await audit.list(req.auth!.user, filterOf(query, config.timezone), query.limit, query.cursor ?? null);
    if (page.nextCursor) {
      const next = new URLSearchParams(Object.entries(req.query).flatMap(([k, v]) => (k !== 'cursor' && typeof v === 'string' ? [[k, v] as [string, string]] : [])));
      next.set('cursor', page.nextCursor);
      res.set('Link', `</api/audit?${next.toString()}>; rel="next"`);
    }
    if (wantsCsv(req, query.format)) {
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', 'attachment; filename="sigap-audit.csv"');
      res.send(auditCsv(page.items, { sep: query.sep, lang: query.lang, timezone: config.timezone }));
      return;
    }
    res.json(auditPageJson(page));
  });

  router.get('/audit', requirePageUser(), async (req, res) => {
    if (req.auth!.user.role !== 'admin') throw new ForbiddenError('only an admin reads the audit log');
    const page = common(req, res);
    const query = parseQuery(auditQuery, req.query);
    const entries = await audit.list(req.auth!.user, filterOf(query, config.timezone), query.limit, query.cursor ?? null);
    const form = { from: query.from ?? '', to: query.to ?? '', action: query.action ?? '', actor: query.actor ?? '', target: query.target ?? '' };
    res.render('audit', { ...page, ...auditView(entries, form, page.fmt) });
  });

  return router;
}
