// What every page shows around its content: the language (Indonesian by default; `?lang=en`
// remembered in a cookie, or the user's own setting), the user, the CSRF token for its forms, and
// date formatting in the office's time zone.
import type { Request, Response } from 'express';
import { pickLanguage, type Language } from './i18n.js';
import type { Formatters } from './page-presenters.js';

export const LANG_COOKIE = 'sigap_lang';

function formatters(lang: Language, timezone: string): Formatters {
  const dateTime = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    timeZone: timezone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return { dateTime: (d) => (d ? dateTime.format(d) : '—'), lang };
}

export function pageContext(timezone: string) {
  const formattersByLang = { id: formatters('id', timezone), en: formatters('en', timezone) };
  return (req: Request, res: Response) => {
    const query = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const lang = pickLanguage(query, req.cookies?.[LANG_COOKIE], req.auth?.user.language);
    if (query === lang) res.cookie(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
    return { lang, user: req.auth?.user ?? null, csrfToken: req.auth?.session?.csrfToken ?? null, path: req.path, fmt: formattersByLang[lang] };
  };
}
