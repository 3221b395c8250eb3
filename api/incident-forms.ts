// The incident pages' forms read into the bodies the JSON API validates (api/request-schemas.ts),
// so a browser and a script meet exactly the same rules.
import { z } from 'zod';
import { parseWindowTime } from '../detector/detection/maintenance-service.js';

export type FormValues = Record<string, string>;

/** The posted fields without the CSRF token, as strings; blank ones are left out (absent). */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (name === '_csrf' || typeof value !== 'string') continue;
    values[name] = value;
  }
  return values;
}

/** Whether the body schema lets the field be left out (an optional note, an unchanged impact). */
function mayOmit(schema: z.ZodType, name: string): boolean {
  const field = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType | undefined>)[name] : undefined;
  return field === undefined || field.safeParse(undefined).success;
}

/**
 * A form sends every field, blank or not. A blank field the schema may omit is left out; a blank
 * required one is kept as typed, so the schema's own message ("must not be empty") names it.
 */
function withoutBlanks(values: FormValues, schema: z.ZodType): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([name, v]) => v.trim() !== '' || !mayOmit(schema, name)));
}

/** An action form's fields as the API body: the escalation level a number. */
export function actionBodyOf(values: FormValues, schema: z.ZodType): Record<string, unknown> {
  const body: Record<string, unknown> = withoutBlanks(values, schema);
  if (typeof body.level === 'string') body.level = /^\d+$/.test(body.level) ? Number(body.level) : body.level;
  // A ticked checkbox sends "true"; anything else is left for the schema to refuse by name.
  if (body.confirmStillFailing === 'true') body.confirmStillFailing = true;
  return body;
}

/**
 * The manual incident form's fields as the body of POST /api/incidents (the reporter is one object
 * there). The time of the report is typed as office time (datetime-local) and sent as an instant;
 * what cannot be read is passed on as typed, for the schema to refuse by name. The "tell the
 * reporter" checkbox sends nothing when cleared: `informReporterShown` says the form asked. How the
 * report came in is required here (blank is refused by name).
 */
export function manualBodyOf(values: FormValues, schema: z.ZodType, timezone: string): Record<string, unknown> {
  const { reporterName, reporterContact, informReporter, informReporterShown, ...rest } = values;
  const reporter = { name: reporterName ?? '', ...(reporterContact?.trim() ? { contact: reporterContact } : {}) };
  const body: Record<string, unknown> = { ...withoutBlanks(rest, schema), reporter };
  // The API assumes `other` when a script does not say; the form's clerk must choose.
  if (!rest.reportedVia?.trim()) body.reportedVia = '';
  if (typeof body.reportedAt === 'string') body.reportedAt = parseWindowTime(body.reportedAt.trim(), timezone)?.toISOString() ?? body.reportedAt;
  if (informReporterShown !== undefined) body.informReporter = informReporter === 'true';
  return body;
}
