// What every part of the probes benchmark agrees on: the page the loopback targets serve, the
// keyword both probers look for, the URL of check i, and the Sigap config of N checks.

/** Both Sigap (`expect.contains`) and blackbox_exporter (`fail_if_body_not_matches_regexp`) look for it. */
export const KEYWORD = 'Survei Kepuasan';

/** A small page like the SKM site's front page: a title, a line of text and the survey form. */
export const PAGE = [
  '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>SKM</title></head><body>',
  `<h1>${KEYWORD} Masyarakat</h1><p>Silakan isi survei kepuasan layanan perizinan.</p>`,
  '<form method="post" action="/kirim"><input name="nama"><select name="nilai"><option>4</option></select>',
  '<button>Kirim</button></form></body></html>',
].join('');

export const CHECKS_PER_SERVICE = 100;

/** Distinct URL per check (path and query vary) spread over the target ports. */
export function targetUrl(index: number, ports: readonly number[]): string {
  const port = ports[index % ports.length]!;
  return `http://127.0.0.1:${port}/skm/${index}?check=${index}`;
}

export function checkKey(index: number): string {
  return `bench-${String(index).padStart(5, '0')}`;
}

/**
 * sigap.yaml for N http checks (100 per service) at `intervalS`, written as a person would, so
 * the benchmark goes through the same parseConfig validation as `npm start`.
 */
export function benchConfigYaml(checks: number, ports: readonly number[], intervalS: number): string {
  const lines = ['timezone: Asia/Jakarta', 'services:'];
  const timeoutS = Math.min(5, intervalS); // a timeout may not exceed the interval
  for (let first = 0; first < checks; first += CHECKS_PER_SERVICE) {
    const service = `svc-${String(first / CHECKS_PER_SERVICE).padStart(3, '0')}`;
    lines.push(`  - key: ${service}`, `    name: Bench service ${service}`, '    impact: medium', '    checks:');
    for (let i = first; i < Math.min(first + CHECKS_PER_SERVICE, checks); i++) {
      lines.push(
        `      - { key: ${checkKey(i)}, type: http, url: "${targetUrl(i, ports)}", interval: ${intervalS}s, timeout: ${timeoutS}s,`,
        `          expect: { status: [200], contains: ["${KEYWORD}"] } }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
