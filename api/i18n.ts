// Indonesian by default, English on request (`?lang=en`, remembered in a cookie, or the user's
// own setting). All strings shown to people live in views/locales.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Language = 'id' | 'en';
export const LANGUAGES: readonly Language[] = ['id', 'en'];

type Messages = Record<string, string>;

export interface Translator {
  t(lang: Language, key: string, vars?: Record<string, unknown>): string;
}

/**
 * A language's strings: `<lang>.json`, plus one file per area in `<lang>/` (pages added later keep
 * their strings apart). A key defined twice is a mistake and stops the start.
 */
export function loadMessages(localesDir: string, lang: Language): Messages {
  const files = [join(localesDir, `${lang}.json`)];
  const areaDir = join(localesDir, lang);
  if (existsSync(areaDir))
    files.push(
      ...readdirSync(areaDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(areaDir, f)),
    );
  const messages: Messages = {};
  for (const file of files) {
    for (const [key, text] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Messages)) {
      if (key in messages) throw new Error(`locale key "${key}" is defined twice (again in ${file})`);
      messages[key] = text;
    }
  }
  return messages;
}

export function loadTranslator(localesDir: string): Translator {
  const messages = Object.fromEntries(LANGUAGES.map((lang) => [lang, loadMessages(localesDir, lang)])) as Record<Language, Messages>;
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
