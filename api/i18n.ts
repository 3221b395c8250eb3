// Indonesian by default, English on request (`?lang=en`, remembered in a cookie, or the user's
// own setting). All strings shown to people live in views/locales.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Language = 'id' | 'en';
export const LANGUAGES: readonly Language[] = ['id', 'en'];

type Messages = Record<string, string>;

export interface Translator {
  t(lang: Language, key: string, vars?: Record<string, unknown>): string;
}

export function loadTranslator(localesDir: string): Translator {
  const messages = Object.fromEntries(
    LANGUAGES.map((lang) => [lang, JSON.parse(readFileSync(join(localesDir, `${lang}.json`), 'utf8')) as Messages]),
  ) as Record<Language, Messages>;
  return {
    t(lang, key, vars = {}) {
      const text = messages[lang][key] ?? messages.id[key] ?? key;
      return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in vars ? String(vars[name]) : match));
    },
  };
}

export function pickLanguage(query: unknown, cookie: unknown, userLanguage: string | undefined): Language {
  for (const candidate of [query, cookie, userLanguage]) {
    if (typeof candidate === 'string' && (LANGUAGES as readonly string[]).includes(candidate)) return candidate as Language;
  }
  return 'id';
}
