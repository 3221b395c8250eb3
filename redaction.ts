// What counts as a secret in Sigap's configuration, and how it reads once redacted: header names,
// query parameter names and user names stay, values read `[redacted]`. Redacted: every request
// header value (under a `headers` key: a check's, a webhook's — X-Api-Key, X-Kunci, Authorization
// alike), any value under a secret-sounding name (token, password, secret, api key,
// authorization, cookie, credential, signature), and in a URL its password and the values of its
// secret-sounding query parameters. api/presenters/secrets.ts decides who reads what (admins see
// what they configured); config.ts describes a check by its URL with this already applied, so
// incidents and messages never carry a URL's secret.

export const REDACTED = '[redacted]';

const SECRET_NAME = /authorization|cookie|token|secret|passw|^pass$|api[-_]?key|credential|signature|^sig$|^auth$/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A URL with its password and its secret-sounding query values redacted; anything else is returned as is. */
export function redactUrl(text: string): string {
  if (!URL_LIKE.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.password) {
    url.password = 'redacted';
    changed = true;
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_NAME.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString() : text;
}

function redact(value: unknown, name: string | null, depth: number): unknown {
  if (depth > 50) return REDACTED;
  const secretName = name !== null && SECRET_NAME.test(name);
  if (typeof value === 'string') return secretName ? REDACTED : redactUrl(value);
  if (typeof value === 'number' || typeof value === 'boolean') return secretName ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, name, depth + 1));
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (key.toLowerCase() === 'headers' && v && typeof v === 'object' && !Array.isArray(v)) {
        return [key, Object.fromEntries(Object.keys(v).map((header) => [header, REDACTED]))];
      }
      return [key, redact(v, key, depth + 1)];
    }),
  );
}

/** Configuration (a check's definition or target, a channel) with every secret redacted. */
export function redactConfigured<T>(value: T): T {
  return redact(value, null, 0) as T;
}
