// The request template of an `http` channel: its body and URL are Handlebars templates filled per
// recipient. Every value is escaped for where it lands — a JSON string (without its quotes: the
// template writes them), form encoding, or plain text as the body's Content-Type says, and URL
// encoding in the URL — so a title with quotes, new lines or `</script>` never breaks the request.
import Handlebars from 'handlebars';

/** How the body's values are escaped, from the configured Content-Type header. */
export type BodyEncoding = 'json' | 'form' | 'text';

/** What a template may use. Strings only; each is escaped for the template's encoding. */
export interface GatewayFields {
  recipient: string;
  text: string;
  event: string;
  link: string;
  incident: { ref: string; title: string; priority: string; service: string; status: string };
}

export type GatewayTemplate = (fields: GatewayFields) => string;

/** Handlebars without the app's helpers, HTML escaping off (values are escaped here instead), strict about unknown fields. */
const handlebars = Handlebars.create();

const SAMPLE: GatewayFields = {
  recipient: '6281234567890',
  text: 'P1 TERBUKA INC-2026-00001',
  event: 'opened',
  link: 'https://sigap.example/incidents/INC-2026-00001',
  incident: { ref: 'INC-2026-00001', title: 'Contoh', priority: 'P1', service: 'Contoh', status: 'new' },
};

/** The encoding of a Content-Type header value (its media type; parameters such as charset ignored). */
export function bodyEncodingOf(contentType: string | undefined): BodyEncoding {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json' || media.endsWith('+json')) return 'json';
  if (media === 'application/x-www-form-urlencoded') return 'form';
  return 'text';
}

/** The configured Content-Type header, whatever its name's case. */
export function contentTypeOf(headers: Readonly<Record<string, string>>): string | undefined {
  return Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

/**
 * A JSON string's content without its quotes. Beyond JSON.stringify, `<`, `>`, `&` and the line
 * separators U+2028/U+2029 are written as \u escapes: still the same JSON, and safe if a gateway
 * pastes it into HTML or a script.
 */
export function escapeJsonString(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** application/x-www-form-urlencoded, as browsers encode a form field's value (space as +). */
export function escapeFormValue(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

const ESCAPE: Record<BodyEncoding | 'url', (value: string) => string> = {
  json: escapeJsonString,
  form: escapeFormValue,
  text: (value) => value,
  url: encodeURIComponent,
};

function escapedFields(fields: GatewayFields, escape: (value: string) => string): GatewayFields {
  return {
    recipient: escape(fields.recipient),
    text: escape(fields.text),
    event: escape(fields.event),
    link: escape(fields.link),
    incident: {
      ref: escape(fields.incident.ref),
      title: escape(fields.incident.title),
      priority: escape(fields.incident.priority),
      service: escape(fields.incident.service),
      status: escape(fields.incident.status),
    },
  };
}

/**
 * Compiles a template and tries it once, so a broken one (bad syntax, an unknown field such as
 * `{{recipent}}`) is found when the configuration is read. Throws an Error saying what is wrong.
 */
export function compileGatewayTemplate(source: string, encoding: BodyEncoding | 'url'): GatewayTemplate {
  const render = compiled(source);
  const escape = ESCAPE[encoding];
  return (fields) => render(escapedFields(fields, escape));
}

/**
 * Compiling is the slow part (Handlebars generates a function) and the configuration is read
 * again on every reload and by `check-config`: a compiled template, pure of its fields, is kept.
 */
const COMPILED = new Map<string, (fields: GatewayFields) => string>();
const COMPILED_LIMIT = 64;

function compiled(source: string): (fields: GatewayFields) => string {
  const known = COMPILED.get(source);
  if (known) return known;
  const render = handlebars.compile<GatewayFields>(source, { noEscape: true, strict: true });
  try {
    render(SAMPLE);
  } catch (error) {
    throw new Error(templateProblem(error), { cause: error });
  }
  if (COMPILED.size >= COMPILED_LIMIT) COMPILED.delete(COMPILED.keys().next().value!);
  COMPILED.set(source, render);
  return render;
}

/** Handlebars' message, short and on one line: an unknown field, a parse error's line, a mismatched block. */
function templateProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknownField = /^"([^"]+)" not defined in/.exec(message);
  if (unknownField)
    return `"${unknownField[1]}" is not a field (use recipient, text, event, link, incident.ref, incident.title, incident.priority, incident.service, incident.status)`;
  // A parse error quotes the template around the fault, and a body may hold a secret from the
  // environment: say the line and what was found, never the quoted text.
  const parse = /^Parse error on line (\d+):[^]*?(got '[^']*')?$/.exec(message);
  if (parse) {
    const found = parse[2] ? ` (${parse[2]})` : '';
    return `not a valid Handlebars template: parse error on line ${parse[1]}${found}; check that every {{ has its }} and every {{#if}} or {{#each}} its {{/if}} or {{/each}}`;
  }
  return `not a valid Handlebars template: ${message.replace(/\s*\n\s*/g, ' ').slice(0, 200)}`;
}
