// A small Handlebars view engine for Express: templates and partials compiled once, a layout
// around every page, and helpers that format (never decide). `{{ }}` escapes everything.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { Translator, Language } from './i18n.js';
import { pageTitleOf } from './page-titles.js';

type Render = (path: string, options: object, callback: (err: Error | null, html?: string) => void) => void;

export function createViewEngine(viewsDir: string, translator: Translator): Render {
  const hbs = Handlebars.create();
  const partialsDir = join(viewsDir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  hbs.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    const lang = (options.data?.root?.lang as Language | undefined) ?? 'id';
    return translator.t(lang, key, options.hash as Record<string, unknown>);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));

  const cache = new Map<string, Handlebars.TemplateDelegate>();
  const compile = (path: string) => {
    let template = cache.get(path);
    if (!template) {
      template = hbs.compile(readFileSync(path, 'utf8'), { strict: false });
      cache.set(path, template);
    }
    return template;
  };
  const layout = join(viewsDir, 'layouts', 'main.hbs');

  return (path, options, callback) => {
    try {
      const body = compile(path)(options);
      const data = options as Record<string, unknown>;
      const lang = (data.lang as Language | undefined) ?? 'id';
      const pageTitle = pageTitleOf(basename(path, '.hbs'), data, (key, vars) => translator.t(lang, key, vars));
      callback(null, compile(layout)({ ...options, body: new hbs.SafeString(body), pageTitle }));
    } catch (err) {
      callback(err as Error);
    }
  };
}
