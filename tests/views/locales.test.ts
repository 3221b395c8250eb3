// Every string shown to people exists in Indonesian and in English, and every literal key a
// template asks for exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '../../api/i18n.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';

const localesDir = join(PROJECT_ROOT, 'views', 'locales');

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templates(join(dir, entry.name)) : entry.name.endsWith('.hbs') ? [join(dir, entry.name)] : [],
  );
}

describe('locales', () => {
  const id = loadMessages(localesDir, 'id');
  const en = loadMessages(localesDir, 'en');

  it('Indonesian and English have the same keys', () => {
    expect(Object.keys(en).filter((k) => !(k in id))).toEqual([]);
    expect(Object.keys(id).filter((k) => !(k in en))).toEqual([]);
  });

  it('every literal key a template translates exists', () => {
    const missing = templates(join(PROJECT_ROOT, 'views')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\{\{t "([^"]+)"/g)]
        .map((m) => m[1]!)
        .filter((key) => !(key in id))
        .map((key) => `${file}: ${key}`),
    );
    expect(missing).toEqual([]);
  });
});
