// The HTML of the demo's stand-in sites and of their control page. Pure functions of their
// inputs; the servers that send them live in stand-in-sites.ts.

export const SITE_NAMES = ['skm', 'pengaduan'] as const;
export type SiteName = (typeof SITE_NAMES)[number];

export const SITE_MODES = ['normal', 'stopped', 'error', 'maintenance', 'slow', 'broken-form'] as const;
export type SiteMode = (typeof SITE_MODES)[number];

/** A message the stand-in WhatsApp Cloud API received. */
export interface DemoWhatsAppMessage {
  at: Date;
  phoneNumberId: string;
  to: string;
  text: string;
}

export type PageKind = 'normal' | 'maintenance' | 'broken-form' | 'thanks';

/** What each mode does to the site, and what Sigap should make of it (DESIGN §4). */
export const MODE_EFFECTS: Record<SiteMode, { label: string; sigap: string }> = {
  normal: { label: 'Berjalan normal', sigap: 'up' },
  stopped: { label: 'Server mati: koneksi ditolak', sigap: 'down · connect → network / connection' },
  error: { label: 'HTTP 500 dengan "Fatal error" PHP', sigap: 'down · http_5xx → availability / server-error' },
  maintenance: { label: 'Halaman "sedang dalam maintenance"', sigap: 'down · content → application / content' },
  slow: { label: 'Menjawab benar, tetapi lambat', sigap: 'degraded · slow → performance / slow-response' },
  'broken-form': { label: 'Formulir kehilangan satu kolom', sigap: 'down · content → application / content' },
};

export const SITE_TITLES: Record<SiteName, string> = {
  skm: 'Survei Kepuasan Masyarakat (SKM)',
  pengaduan: 'Layanan Pengaduan Masyarakat',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
${body}
<footer><p>DPMPTSP Kabupaten Ogan Komering Ilir (situs tiruan untuk demo Sigap)</p></footer>
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
  );
}

function pengaduanPage(kind: PageKind): string {
  const title = SITE_TITLES.pengaduan;
  if (kind === 'maintenance') return document(title, `<h1>${title}</h1>\n<p>Situs sedang dalam maintenance. Silakan kembali lagi nanti.</p>`);
  if (kind === 'thanks') return document(title, `<h1>${title}</h1>\n<p>Terima kasih, Pengaduan Anda sudah kami terima dan akan ditindaklanjuti.</p>`);
  const complaint = kind === 'broken-form' ? '' : '<label>Isi pengaduan <textarea name="isi" required></textarea></label>';
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
  );
}

export function sitePage(site: SiteName, kind: PageKind): string {
  return site === 'skm' ? skmPage(kind) : pengaduanPage(kind);
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
