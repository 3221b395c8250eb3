// The HTML of the demo's stand-in sites and of their control page. Pure functions of their
// inputs; the servers that send them live in stand-in-sites.ts.

export const SITE_NAMES = ['skm', 'pengaduan'] as const;
export type SiteName = (typeof SITE_NAMES)[number];

export const SITE_MODES = ['normal', 'stopped', 'error', 'maintenance', 'slow', 'broken-form', 'judi-hidden-links', 'judi-crawler-only', 'judi-sitemap'] as const;
export type SiteMode = (typeof SITE_MODES)[number];

/** A message the stand-in WhatsApp Cloud API received. */
export interface DemoWhatsAppMessage {
  at: Date;
  phoneNumberId: string;
  to: string;
  text: string;
}

export type PageKind = 'normal' | 'maintenance' | 'broken-form' | 'thanks' | 'hidden-links';

/** The page a `judi-sitemap` site gains, as SEO spam drops it into a CMS's uploads folder. */
export const INJECTED_SITEMAP_PATH = '/wp-content/uploads/slot-gacor-maxwin.html';

/**
 * The spammer's domain. Under `.example` (reserved, RFC 2606), so the demo never advertises a
 * real gambling site; real injections point at throwaway `.xyz`, `.top` or `.site` domains.
 */
export const GAMBLING_DOMAIN = 'gacor-maxwin88.example';

/**
 * The normal page's external links: the national complaint channel, the OSS licensing system and
 * the regency's own site. Never fetched; the demo's integrity checks allow these domains.
 */
export const ALLOWED_EXTERNAL_LINKS = [
  { href: 'https://www.lapor.go.id/', text: 'SP4N-LAPOR!' },
  { href: 'https://oss.go.id/', text: 'OSS (perizinan berusaha)' },
  { href: 'https://www.okikab.go.id/', text: 'Pemerintah Kabupaten Ogan Komering Ilir' },
] as const;

/** The site's own pages besides the form, listed with it in its clean `/sitemap.xml`. */
export const INFO_PAGES: Record<string, { title: string; text: string }> = {
  '/informasi': {
    title: 'Informasi Pelayanan',
    text: 'Jam pelayanan Senin–Kamis 07.30–16.00, Jumat 07.30–16.30. Pelayanan perizinan tidak dipungut biaya.',
  },
  '/kontak': {
    title: 'Kontak',
    text: 'Kantor DPMPTSP, Jalan Merdeka No. 1. Telepon (0712) 000000, pada jam kerja.',
  },
};

/** Who counts as a search engine for `judi-crawler-only`: crawler user agents and result-page referers. */
export function isSearchEngineVisit(userAgent: string | undefined, referer: string | undefined): boolean {
  if (userAgent && /googlebot|bingbot/i.test(userAgent)) return true;
  if (!referer) return false;
  try {
    return /(^|\.)(google|bing|yahoo|duckduckgo|yandex)\.[a-z.]+$/i.test(new URL(referer).hostname);
  } catch {
    return false;
  }
}

/** What each mode does to the site, and what Sigap should make of it (DESIGN §4). */
export const MODE_EFFECTS: Record<SiteMode, { label: string; sigap: string }> = {
  normal: { label: 'Berjalan normal', sigap: 'up' },
  stopped: { label: 'Server mati: koneksi ditolak', sigap: 'down · connect → network / connection' },
  error: { label: 'HTTP 500 dengan "Fatal error" PHP', sigap: 'down · http_5xx → availability / server-error' },
  maintenance: { label: 'Halaman "sedang dalam maintenance"', sigap: 'down · content → application / content' },
  slow: { label: 'Menjawab benar, tetapi lambat', sigap: 'degraded · slow → performance / slow-response' },
  'broken-form': { label: 'Formulir kehilangan satu kolom', sigap: 'down · content → application / content' },
  'judi-hidden-links': {
    label: 'Disusupi tautan judi online tersembunyi (display:none) ke domain asing; formulir tetap ada',
    sigap: 'degraded · injected_content → security / injected-content',
  },
  'judi-crawler-only': {
    label: 'Halaman judi hanya untuk Googlebot/Bingbot dan pengunjung dari mesin pencari; peramban melihat halaman normal',
    sigap: 'degraded · cloaking → security / cloaking',
  },
  'judi-sitemap': {
    label: `sitemap.xml berisi halaman judi sisipan (${INJECTED_SITEMAP_PATH})`,
    sigap: 'degraded · injected_content → security / injected-content',
  },
};

export const SITE_TITLES: Record<SiteName, string> = {
  skm: 'Survei Kepuasan Masyarakat (SKM)',
  pengaduan: 'Layanan Pengaduan Masyarakat',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

const LINKS = `<nav><a href="/">Beranda</a> · <a href="/informasi">Informasi Pelayanan</a> · <a href="/kontak">Kontak</a></nav>`;
const EXTERNAL = `<p>Tautan: ${ALLOWED_EXTERNAL_LINKS.map((l) => `<a href="${l.href}">${escapeHtml(l.text)}</a>`).join(' · ')}</p>`;

/**
 * The block a judi-online SEO spam campaign injects into a hacked site's template: links to the
 * spammer's site with gambling anchor text, hidden from visitors so nobody reports it, still read
 * by search engines.
 */
const HIDDEN_GAMBLING_LINKS = `<div style="display:none">
<a href="https://${GAMBLING_DOMAIN}/">slot gacor</a> <a href="https://${GAMBLING_DOMAIN}/togel">togel online hari ini</a>
<a href="https://${GAMBLING_DOMAIN}/maxwin">situs slot maxwin</a>
</div>`;

function document(title: string, body: string, injected = ''): string {
  return `<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(title)}: layanan DPMPTSP secara daring."></head>
<body>
${LINKS}
${body}
<footer><p>DPMPTSP Kabupaten Ogan Komering Ilir (situs tiruan untuk demo Sigap)</p>
${EXTERNAL}${injected}</footer>
</body>
</html>
`;
}

const SKM_RATING = `<label>Penilaian pelayanan
  <select name="nilai" required>
    <option value="">pilih</option>
    <option value="4">Sangat baik</option>
    <option value="3">Baik</option>
    <option value="2">Kurang baik</option>
    <option value="1">Tidak baik</option>
  </select></label>`;

function skmPage(kind: PageKind): string {
  const title = SITE_TITLES.skm;
  if (kind === 'maintenance') return document(title, `<h1>${title}</h1>\n<p>Situs sedang dalam maintenance. Silakan kembali lagi nanti.</p>`);
  if (kind === 'thanks') return document(title, `<h1>${title}</h1>\n<p>Terima kasih, penilaian Anda sudah kami terima.</p>`);
  // A broken form keeps the page's text: only the rating field is gone, as after a failed deploy.
  const rating = kind === 'broken-form' ? '<p>Pilihan penilaian tidak dapat dimuat.</p>' : SKM_RATING;
  const injected = kind === 'hidden-links' ? HIDDEN_GAMBLING_LINKS : '';
  return document(
    title,
    `<h1>${title}</h1>
<p>Bantu kami meningkatkan pelayanan perizinan dengan mengisi Survei Kepuasan Masyarakat ini.</p>
<form method="post" action="/">
  <label>Nama <input name="nama" required></label>
  ${rating}
  <label>Saran <textarea name="saran"></textarea></label>
  <button type="submit">Kirim</button>
</form>`,
    injected,
  );
}

function pengaduanPage(kind: PageKind): string {
  const title = SITE_TITLES.pengaduan;
  if (kind === 'maintenance') return document(title, `<h1>${title}</h1>\n<p>Situs sedang dalam maintenance. Silakan kembali lagi nanti.</p>`);
  if (kind === 'thanks') return document(title, `<h1>${title}</h1>\n<p>Terima kasih, Pengaduan Anda sudah kami terima dan akan ditindaklanjuti.</p>`);
  const complaint = kind === 'broken-form' ? '' : '<label>Isi pengaduan <textarea name="isi" required></textarea></label>';
  const injected = kind === 'hidden-links' ? HIDDEN_GAMBLING_LINKS : '';
  return document(
    title,
    `<h1>${title}</h1>
<p>Sampaikan Pengaduan Anda tentang pelayanan perizinan dan nonperizinan.</p>
<form method="post" action="/">
  <label>Nama <input name="nama" required></label>
  <label>Nomor HP / e-mail <input name="kontak"></label>
  ${complaint}
  <button type="submit">Kirim pengaduan</button>
</form>`,
    injected,
  );
}

export function sitePage(site: SiteName, kind: PageKind): string {
  return site === 'skm' ? skmPage(kind) : pengaduanPage(kind);
}

/** One of the site's own information pages (`INFO_PAGES`), or null for another path. */
export function infoPage(site: SiteName, path: string): string | null {
  const page = INFO_PAGES[path];
  if (!page) return null;
  return document(`${page.title} — ${SITE_TITLES[site]}`, `<h1>${escapeHtml(page.title)}</h1>\n<p>${escapeHtml(page.text)}</p>`);
}

/** The site's `/sitemap.xml`: its pages under `origin`, plus the injected one when `injected`. */
export function sitemapXml(origin: string, injected: boolean): string {
  const paths = ['/', ...Object.keys(INFO_PAGES), ...(injected ? [INJECTED_SITEMAP_PATH] : [])];
  const urls = paths.map((path) => `  <url><loc>${escapeHtml(new URL(path, origin).href)}</loc></url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls}
</urlset>
`;
}

/**
 * The judi-online landing page a compromised site serves (to crawlers in `judi-crawler-only`, at
 * the injected sitemap path in `judi-sitemap`): keyword-stuffed title and text, a sign-up link to
 * the spammer's domain.
 */
export function gamblingPage(): string {
  return `<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>SLOT GACOR MAXWIN 2026 - Situs Slot Online Gampang Menang</title>
<meta name="description" content="Link slot gacor hari ini, togel online dan deposit pulsa tanpa potongan. Bonus new member 100%."></head>
<body>
<h1>Slot Gacor Maxwin Hari Ini</h1>
<p>Situs slot online terpercaya: RTP live tertinggi, togel dan toto macau, deposit pulsa tanpa potongan.</p>
<p><a href="https://${GAMBLING_DOMAIN}/daftar">DAFTAR SEKARANG</a> · <a href="https://${GAMBLING_DOMAIN}/">Link alternatif</a></p>
</body>
</html>
`;
}

/** What a PHP site on shared hosting shows when its database is gone. */
export function phpFatalErrorPage(site: SiteName): string {
  return `<br />
<b>Fatal error</b>:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/${site}/config/database.php:14
Stack trace:
#0 /var/www/${site}/index.php(7): PDO-&gt;__construct()
#1 {main}
  thrown in <b>/var/www/${site}/config/database.php</b> on line <b>14</b><br />
`;
}

export interface ControlView {
  sites: Array<{ name: SiteName; url: string; mode: SiteMode }>;
  dashboardUrl: string | null;
  slowDelayMs: number;
  /** Newest first. */
  whatsapp: readonly DemoWhatsAppMessage[];
}

function whatsappInbox(messages: readonly DemoWhatsAppMessage[]): string {
  if (messages.length === 0) return '<p>Belum ada pesan. Sigap mengirim ke sini saat insiden dibuka, diselesaikan dan ditutup.</p>';
  const items = messages
    .map((m) => `<li><strong>ke ${escapeHtml(m.to)}</strong> · ${escapeHtml(m.at.toISOString().slice(11, 19))} UTC<pre>${escapeHtml(m.text)}</pre></li>`)
    .join('\n  ');
  return `<ol class="inbox">\n  ${items}\n</ol>`;
}

function modeButtons(site: SiteName, current: SiteMode): string {
  return SITE_MODES.map((mode) => {
    const active = mode === current;
    return (
      `<form method="post" action="/mode"><input type="hidden" name="site" value="${escapeHtml(site)}">` +
      `<input type="hidden" name="mode" value="${escapeHtml(mode)}">` +
      `<button type="submit"${active ? ' disabled' : ''} title="${escapeHtml(MODE_EFFECTS[mode].label)}">${escapeHtml(mode)}</button></form>`
    );
  }).join('\n      ');
}

export function controlPage(view: ControlView): string {
  const rows = view.sites
    .map(
      (site) => `<tr>
    <td><a href="${escapeHtml(site.url)}">${escapeHtml(SITE_TITLES[site.name])}</a><br><code>${escapeHtml(site.url)}</code></td>
    <td><strong>${escapeHtml(site.mode)}</strong></td>
    <td class="modes">
      ${modeButtons(site.name, site.mode)}
    </td>
  </tr>`,
    )
    .join('\n  ');
  const legend = SITE_MODES.map(
    (mode) =>
      `<li><code>${escapeHtml(mode)}</code>: ${escapeHtml(MODE_EFFECTS[mode].label)}` +
      `${mode === 'slow' ? ` (${view.slowDelayMs} ms)` : ''} — Sigap: ${escapeHtml(MODE_EFFECTS[mode].sigap)}</li>`,
  ).join('\n  ');
  const dashboard = view.dashboardUrl ? `<p>Dasbor Sigap: <a href="${escapeHtml(view.dashboardUrl)}">${escapeHtml(view.dashboardUrl)}</a></p>` : '';
  return `<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>Sigap demo: panel kendali situs tiruan</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border: 1px solid #ccc; padding: .5rem; text-align: left; vertical-align: top; }
  .modes form { display: inline; }
  button { margin: .1rem; }
  .inbox pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f6f4; padding: .5rem; }
</style></head>
<body>
<h1>Panel kendali situs tiruan</h1>
${dashboard}
<p>Buat salah satu situs gagal, lalu lihat Sigap membuka insiden; kembalikan ke <code>normal</code> dan insiden ditandai pulih.</p>
<table>
  <tr><th>Situs</th><th>Mode</th><th>Ubah mode</th></tr>
  ${rows}
</table>
<h2>Mode</h2>
<ul>
  ${legend}
</ul>
<h2>Pesan WhatsApp (tiruan WhatsApp Cloud API)</h2>
${whatsappInbox(view.whatsapp)}
</body>
</html>
`;
}
