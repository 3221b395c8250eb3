// What a refusal says to the person who reads it. Domain errors keep a stable English `code` and an
// English message (logs, scripts, tests read them); here they are said in the reader's language:
// zod's issues by their code and facts, the messages Sigap writes itself by a table of patterns,
// and anything else by its code alone — never the English text, so a page in Indonesian shows no
// English. Every field is named in words (`fieldName.<path>` in views/locales/<lang>/lang.json).
import type { SigapError } from '../detector/errors.js';
import { DuplicateError, InvalidTransitionError, type ErrorCode, type ErrorDetail, type IssueFacts } from '../detector/errors.js';
import type { Request } from 'express';
import { pickLanguage, type Language, type Translator } from './i18n.js';
import { LANG_COOKIE } from './page-context.js';

export interface ShownDetail extends ErrorDetail {
  /** The field in words ("Dampak"), or null when the field has no label (its path is shown as code). */
  field: string | null;
}

type Vars = Record<string, string | number>;
type Say = (key: string, vars?: Vars) => string;

/** A key the translator knows, or null (its fallback answers the key itself). */
const known = (t: Translator, lang: Language, key: string, vars?: Vars): string | null => {
  const text = t.t(lang, key, vars);
  return text === key ? null : text;
};

/** The field of a detail in words: `reporter.name` → "Nama pelapor"; `check.url` → "URL"; unknown → null. */
export function fieldLabel(path: string, lang: Language, t: Translator): string | null {
  // A check's definition is YAML the admin wrote: its own key path (`check.url`) names the field best.
  if (path.startsWith('check.')) return null;
  const line = /^definition:(\d+|\?):(\d+|\?)$/.exec(path);
  if (line) return t.t(lang, 'fieldName.definitionAt', { line: line[1]!, column: line[2]! });
  const last =
    path
      .split('.')
      .filter((segment) => !/^\d+$/.test(segment))
      .at(-1) ?? path;
  return known(t, lang, `fieldName.${path}`) ?? known(t, lang, `fieldName.${last}`);
}

// Which words say the values a field takes (impact "high" → "tinggi").
const VALUE_WORDS: Record<string, string> = {
  impact: 'level.',
  urgency: 'level.',
  category: 'category.',
  subcategory: 'subcategory.',
  role: 'accounts.role.',
  language: 'accounts.language.',
  status: 'status.',
  resolutionCode: 'form.resolution.',
  closureCode: 'lang.closureCode.',
};

function valueWords(path: string, values: readonly string[], lang: Language, t: Translator): string {
  const prefix = VALUE_WORDS[path.split('.').at(-1) ?? path];
  return values.map((v) => (prefix ? (known(t, lang, `${prefix}${v}`) ?? v) : v)).join(', ');
}

// Sigap's own English detail messages, as written in detector/ and api/: pattern → key and values.
const DETAIL_PATTERNS: Array<[RegExp, string, (m: RegExpExecArray) => Vars]> = [
  [/^must not be empty$|^is required$/, 'validation.required', () => ({})],
  [/^must be the 16 hex digits of the latest snapshot$|^must be the version of the latest snapshot$/, 'validation.snapshot', () => ({})],
  [/^is not the latest snapshot$/, 'validation.snapshotStale', () => ({})],
  [/^unknown field$/, 'validation.unknownField', () => ({})],
  [/^needs the confirmation box ticked$/, 'validation.confirmRequired', () => ({})],
  [/^must not be in the future$/, 'validation.notFuture', () => ({})],
  [/^must be within the last (\d+) days$/, 'validation.withinDays', (m) => ({ days: m[1]! })],
  [/^must not contain NUL characters$/, 'validation.nul', () => ({})],
  [/^must be at least (\d+) characters$/, 'validation.tooShort', (m) => ({ minimum: m[1]! })],
  [/^must be at most (\d+) characters$/, 'validation.tooLong', (m) => ({ maximum: m[1]! })],
  [/^must be (\d+) to (\d+)$|^must be (\d+) or (\d+)$/, 'validation.between', (m) => ({ minimum: m[1] ?? m[3]!, maximum: m[2] ?? m[4]! })],
  [/^must be an e-mail address$/, 'validation.email', () => ({})],
  [/^must be 2-64 lower-case letters/, 'validation.username', () => ({})],
  [/^is not your current password$/, 'validation.wrongPassword', () => ({})],
  [/^must differ from your current password$/, 'validation.samePassword', () => ({})],
  [/^does not match the new password$/, 'validation.passwordsDiffer', () => ({})],
  [/^must be the user name of an active user$/, 'validation.activeUser', () => ({})],
  [/^user "(.*)" not found$/, 'validation.noUser', (m) => ({ name: m[1]! })],
  [/^no service "(.*)"$/, 'validation.noService', (m) => ({ name: m[1]! })],
  [/^not for your own account$/, 'validation.ownAccount', () => ({})],
  [/^must lie in the future$|^must be in the future$/, 'validation.future', () => ({})],
  [/^must be after (\w+)$/, 'validation.after', () => ({})],
  [/^must be before today$/, 'validation.beforeToday', () => ({})],
  [/^must be at most (\d+) days after from$/, 'validation.maxDays', (m) => ({ days: m[1]! })],
  [/^must be a date \(YYYY-MM-DD\)$/, 'validation.date', () => ({})],
  [/^must be a month like/, 'validation.month', () => ({})],
  [/^must be a local time like/, 'validation.time', () => ({})],
  [/^must be a date-time like|^must be an ISO-8601 date and time/, 'validation.dateTime', () => ({})],
  [/^must be the nextCursor/, 'validation.cursor', () => ({})],
  [/^must be one of the incident’s current suggestions$/, 'validation.suggestion', () => ({})],
  [/^give impact, urgency or both$/, 'validation.impactOrUrgency', () => ({})],
  [/^must be above the current level (\d+) and at most (\d+)$/, 'validation.levelUp', (m) => ({ level: m[1]!, maximum: m[2]! })],
  [/^no check has this key$/, 'validation.noCheck', () => ({})],
  [/^belongs to service (\S+), not (\S+)$/, 'validation.otherService', (m) => ({ service: m[1]! })],
  [/^is not used by a (\w+) window$/, 'validation.windowField', () => ({})],
  [/^must stay "(.*)"/, 'validation.keyStays', (m) => ({ key: m[1]! })],
  [/^check (\S+) is (\w+); send true to resolve anyway$/, 'validation.stillFailing', (m) => ({ check: m[1]! })],
  [/^verification: (\w+), remainingMs (\d+)$/, 'validation.notVerified', (m) => ({ reason: m[1]!, minutes: Math.ceil(Number(m[2]) / 60_000) })],
  [/^the reporter \((.*)\) confirms/, 'validation.reporterConfirms', (m) => ({ name: m[1]! })],
  [/^verification is \w+, not verified$/, 'validation.monitoringNotVerified', () => ({})],
  [/^allowed from (\w+): (.*)$/, 'validation.allowedFrom', () => ({})],
  [/^must be /, 'validation.invalid', () => ({})],
];

function issueText(detail: ErrorDetail, issue: IssueFacts, say: Say, values: (v: readonly string[]) => string): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'undefined' || issue.expected === 'never' ? say('validation.unknownField') : say('validation.required');
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? say('validation.required') : say('validation.tooShort', { minimum: issue.minimum ?? 0 });
      if (issue.origin === 'array' || issue.origin === 'set') return say('validation.tooFew', { minimum: issue.minimum ?? 0 });
      return say('validation.atLeast', { minimum: issue.minimum ?? 0 });
    case 'too_big':
      if (issue.origin === 'string') return say('validation.tooLong', { maximum: issue.maximum ?? 0 });
      if (issue.origin === 'array' || issue.origin === 'set') return say('validation.tooMany', { maximum: issue.maximum ?? 0 });
      return say('validation.atMost', { maximum: issue.maximum ?? 0 });
    case 'invalid_value':
      return say('validation.oneOf', { values: values(issue.values ?? []) });
    case 'invalid_format':
      if (issue.format === 'email') return say('validation.email');
      if (issue.format === 'url') return say('validation.url');
      if (issue.format === 'datetime' || issue.format === 'date') return say('validation.dateTime');
      return DETAIL_PATTERNS.some(([re]) => re.test(detail.message)) ? '' : say('validation.format');
    case 'unrecognized_keys':
      return say('validation.unknownField');
    case 'not_multiple_of':
      return say('validation.wholeNumber');
    default:
      return '';
  }
}

/** One detail in the reader's words: Sigap's own messages first, then zod's facts, then a plain "not valid". */
export function detailText(detail: ErrorDetail, lang: Language, t: Translator): string {
  const say: Say = (key, vars) => t.t(lang, `lang.${key}`, vars);
  const values = (v: readonly string[]) => valueWords(detail.path, v, lang, t);
  const fromIssue = detail.issue && detail.issue.code !== 'custom' ? issueText(detail, detail.issue, say, values) : '';
  if (fromIssue) return fromIssue;
  const oneOf =
    /^must be one(?: or more)? of ([\w-]+(?:, [\w-]+)*)(?: for [\w-]+)?(?: \(.*\))?$/.exec(detail.message) ??
    /^must be ([\w;,-]+(?: or [\w;,-]+)+)(?: \(.*\))?$/.exec(detail.message);
  if (oneOf && !/^\d+ or \d+$/.test(oneOf[1]!)) return say('validation.oneOf', { values: values(oneOf[1]!.split(/, | or /)) });
  for (const [pattern, key, vars] of DETAIL_PATTERNS) {
    const match = pattern.exec(detail.message);
    if (!match) continue;
    if (key === 'validation.allowedFrom') {
      const allowed = match[2] && match[2] !== 'none' ? stateWords(match[2].split(', '), lang, t) : say('error.terminal');
      return say(key, { from: stateWords([match[1]!], lang, t), allowed });
    }
    if (key === 'validation.notVerified') {
      const reason = known(t, lang, `lang.verification.${match[1]}`) ?? say('verification.other');
      return say(key, { ...vars(match), reason });
    }
    return say(key, vars(match));
  }
  return say('validation.invalid');
}

const stateWords = (states: readonly string[], lang: Language, t: Translator) => states.map((s) => known(t, lang, `status.${s}`) ?? s).join(', ');

// Sigap's own English top-level messages that say more than their code.
const MESSAGE_PATTERNS: Array<[RegExp, string, (m: RegExpExecArray) => Vars]> = [
  [/^no route (\S+) (.*)$/, 'error.noRoute', (m) => ({ path: m[2]! })],
  [/^incident (\S+) not found$/, 'error.noIncident', (m) => ({ ref: m[1]! })],
  [/^user "(.*)" not found$/, 'error.noUser', (m) => ({ name: m[1]! })],
  [/^the monthly report is for /, 'error.reportReaders', () => ({})],
  [/^only an admin/, 'error.adminOnly', () => ({})],
  [/CSRF token/, 'error.csrf', () => ({})],
  [/^a vendor may only /, 'error.vendorActions', () => ({})],
  [/^a (\w+) reads incidents but cannot act on them$/, 'error.readOnlyRole', () => ({})],
  [/^logging incidents needs the role/, 'error.loggingRoles', () => ({})],
  [/^this API token is read-only/, 'error.readOnlyToken', () => ({})],
  [/^you cannot deactivate or demote yourself/, 'error.ownAccount', () => ({})],
  [/^check (\S+) is defined in sigap.yaml/, 'error.fileCheck', (m) => ({ key: m[1]! })],
  [/^a check with the key (\S+) already exists$/, 'error.checkExists', (m) => ({ key: m[1]! })],
  [/^notification (\d+) was delivered already$/, 'error.delivered', () => ({})],
  [/^not verified yet/, 'error.notVerified', () => ({})],
  [/^the probes still see check/, 'error.stillFailing', () => ({})],
  [/^incident (\S+) is (\w+); a known error is recorded from/, 'error.knownErrorState', (m) => ({ ref: m[1]! })],
  [/^wrong user name or password$/, 'error.wrongLogin', () => ({})],
  [/^set a new password first/, 'error.passwordChangeRequired', () => ({})],
  [/^the body must be a JSON object/, 'error.notObject', () => ({})],
  [/^the page changed again since it was shown/, 'error.baselineChanged', () => ({})],
  [/^check (\S+) has not seen its page yet/, 'error.baselineNothing', (m) => ({ key: m[1]! })],
  [/^accepting a baseline needs the role/, 'error.baselineRoles', () => ({})],
  [/^integrity check (\S+) not found$/, 'error.noIntegrityCheck', (m) => ({ key: m[1]! })],
];

/** The refusal's own sentence: by its kind (a duplicate names its field, a transition its states), a known message, or its code. */
export function errorMessage(err: SigapError, lang: Language, t: Translator): string {
  const say: Say = (key, vars) => t.t(lang, `lang.${key}`, vars);
  if (err instanceof DuplicateError) {
    const column = duplicateField(err.constraint);
    return say('error.duplicate', { field: (column && fieldLabel(column, lang, t)) ?? say('error.duplicateSomething') });
  }
  if (err instanceof InvalidTransitionError) {
    const allowed = err.allowed.length ? stateWords(err.allowed, lang, t) : say('error.terminal');
    return say('error.transition', { from: stateWords([err.from], lang, t), to: stateWords([err.to], lang, t), allowed });
  }
  const notApplicable = /^"(\w+)" does not apply to an incident in state "(\w+)"; allowed transitions: .*; actions: (.*)$/.exec(err.message);
  if (notApplicable) {
    const actions = notApplicable[3]
      ? notApplicable[3]
          .split(', ')
          .map((a) => t.t(lang, `action.${a}`))
          .join(', ')
      : say('error.terminal');
    return say('error.actionNotApplicable', { action: t.t(lang, `action.${notApplicable[1]}`), from: stateWords([notApplicable[2]!], lang, t), actions });
  }
  // A destructive action's own refusal sentence (views/locales/<lang>/guide.json).
  const unconfirmed = /^(\w+) needs its confirmation box ticked$/.exec(err.message);
  if (unconfirmed) return known(t, lang, `guide.confirm.required.${unconfirmed[1]}`) ?? say(`code.${err.code}`);
  for (const [pattern, key, vars] of MESSAGE_PATTERNS) {
    const match = pattern.exec(err.message);
    if (match) return say(key, vars(match));
  }
  return say(`code.${err.code}`);
}

/** `users.username` (SQLite) or `users_username_unique` (PostgreSQL) → `username`. */
function duplicateField(constraint: string): string | null {
  const match = /^\w+\.(\w+)$/.exec(constraint) ?? /^[a-z]+_(\w+)_unique$/.exec(constraint);
  return match ? match[1]! : null;
}

/** The error as a person reads it: its sentence and every detail with its field in words. */
export function localizeError(err: SigapError, lang: Language, t: Translator): { code: ErrorCode; message: string; details: ShownDetail[] } {
  const details: ShownDetail[] = err.details.map((d) => ({ path: d.path, field: fieldLabel(d.path, lang, t), message: detailText(d, lang, t) }));
  if (err instanceof DuplicateError && details.length === 0) {
    const column = duplicateField(err.constraint);
    if (column) details.push({ path: column, field: fieldLabel(column, lang, t), message: t.t(lang, 'lang.validation.taken') });
  }
  if (err instanceof InvalidTransitionError) details.splice(0);
  return { code: err.code, message: errorMessage(err, lang, t), details };
}

/** The same error (its class and fields kept, a refused log-in still says when to retry), said for the reader: what a page's form shows. */
export function localizedError<E extends SigapError>(err: E, lang: Language, t: Translator): E {
  const shown = localizeError(err, lang, t);
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as E, err);
  Object.defineProperty(copy, 'message', { value: shown.message, enumerable: false, writable: true, configurable: true });
  Object.defineProperty(copy, 'details', { value: shown.details, enumerable: true });
  return copy;
}

/** The page's language (`?lang=`, the cookie, the user's setting; Indonesian by default), as pageContext picks it. */
export function pageLanguage(req: Request): Language {
  return pickLanguage(typeof req.query.lang === 'string' ? req.query.lang : undefined, req.cookies?.[LANG_COOKIE], req.auth?.user.language);
}

/**
 * The API's language: `?lang=`, else `Accept-Language` (id or en, by the caller's preference), else
 * English — scripts keep the English messages they were written against; a user's own setting is
 * for the pages.
 */
export function apiLanguage(req: Request): Language {
  const query = req.query.lang;
  if (query === 'id' || query === 'en') return query;
  if (!req.get('accept-language')) return 'en';
  const accepted = req.acceptsLanguages('en', 'id');
  return accepted === 'id' ? 'id' : 'en';
}

/** The translator the app was built with (createApp keeps it in `app.locals`). */
export const translatorOf = (req: Request): Translator | null => (req.app.locals.translator as Translator | undefined) ?? null;
