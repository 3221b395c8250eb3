// What every page shows around its content: the language (Indonesian by default; `?lang=en`
// remembered in a cookie, or the user's own setting), the user, the CSRF token for its forms, and
// date formatting in the office's time zone.
import type { Request, Response } from 'express';
import { pickLanguage } from './i18n.js';
import { formattersFor } from './presenters/formatters.js';

export const LANG_COOKIE = 'sigap_lang';

export function pageContext(timezone: string) {
  const formattersByLang = { id: formattersFor('id', timezone), en: formattersFor('en', timezone) };
  return (req: Request, res: Response) => {
    const query = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const lang = pickLanguage(query, req.cookies?.[LANG_COOKIE], req.auth?.user.language);
    if (query === lang) res.cookie(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 86_400_000 });
    return { lang, user: req.auth?.user ?? null, csrfToken: req.auth?.session?.csrfToken ?? null, path: req.path, fmt: formattersByLang[lang] };
  };
}
