// Demo-like data for the layout suites: several incidents (one with a long title, one escalated to
// the vendor), a service whose checks have long URLs, maintenance windows, a known error and a few
// people. Sigap runs as a web process only, so nothing changes while the pages are looked at.
import type { Page } from 'playwright-core';
import { logIn as apiLogIn } from '../helpers/sigap-harness.js';
import { startBrowserSigap, type StartedSigap } from './helpers.js';

const LONG_URL = 'https://perizinan-online.dpmptsp.kabupaten-contoh.go.id/api/v2/permohonan/status?jenis=izin-usaha-mikro-kecil&tahun=2026&format=json';
const check = (key: string, url: string) => `      - { key: ${key}, type: http, url: "${url}", interval: 60s, timeout: 10s }\n`;
export const LAYOUT_YAML =
  'timezone: Asia/Jakarta\nservices:\n' +
  `  - key: perizinan\n    name: Sistem Perizinan Berusaha Terintegrasi Secara Elektronik (Perizinan Online)\n    impact: high\n    checks:\n` +
  check('perizinan-api-status-permohonan-izin-usaha', LONG_URL) +
  check('perizinan-web', 'https://perizinan.kabupaten-contoh.go.id/') +
  `  - key: pengaduan\n    name: Pengaduan Masyarakat\n    impact: high\n    checks:\n${check('pengaduan-web', 'http://127.0.0.1:9/pengaduan')}` +
  `  - key: skm\n    name: Survei Kepuasan Masyarakat (SKM)\n    impact: medium\n    checks:\n${check('skm-form', 'http://127.0.0.1:9/skm')}` +
  `  - key: ppid\n    name: PPID — Permohonan Informasi Publik\n    impact: low\n`;

export interface LayoutData {
  started: StartedSigap;
  baseUrl: string;
  refs: string[];
  /** The incident escalated to the vendor (a vendor may open it). */
  vendorRef: string;
  vendor: { username: string; password: string };
}

export async function startLayoutSigap(): Promise<LayoutData> {
  const started = await startBrowserSigap({ yaml: LAYOUT_YAML, env: { SIGAP_ROLE: 'web' } });
  const { sigap } = started;
  const admin = await sigap.accounts.findUser('admin');
  const log = async (input: Record<string, unknown>) => (await sigap.incidents.commands.logManual(admin, input as never)).incident.ref;
  const refs = [
    await log({
      service: 'perizinan',
      title:
        'Permohonan izin usaha mikro tidak bisa dikirim: tombol "Kirim" berputar terus lalu muncul galat 504 Gateway Timeout di halaman https://perizinan-online.dpmptsp.kabupaten-contoh.go.id/permohonan/baru',
      description: 'Pemohon menelepon dua kali. Nomor permohonan PRM-2026-000123456789-ABCDEFGHIJ tidak tersimpan.',
      impact: 'high',
      urgency: 'high',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Budi Santoso', contact: '0812-3456-7890' },
    }),
    await log({
      service: 'pengaduan',
      title: 'Lampiran pengaduan gagal diunggah',
      description: 'Warga menelepon: unggah foto KTP berhenti di 90%.',
      impact: 'high',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Siti Aminah', contact: 'siti.aminah@contoh.example' },
    }),
    await log({
      service: 'skm',
      title: 'Formulir SKM lambat dibuka',
      description: 'Butuh 20 detik sampai formulir tampil.',
      impact: 'medium',
      urgency: 'low',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Petugas loket' },
    }),
    await log({
      service: 'ppid',
      title: 'Tautan unduhan dokumen PPID salah',
      description: 'Tautan mengarah ke dokumen tahun lalu.',
      impact: 'low',
      urgency: 'low',
      category: 'data',
      subcategory: 'data-quality',
      reporter: { name: 'Siti Aminah' },
    }),
    await log({
      service: 'skm',
      title: 'Kuesioner SKM menampilkan pertanyaan ganda',
      description: 'Pertanyaan nomor 4 muncul dua kali.',
      impact: 'medium',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Petugas loket' },
    }),
  ];
  const vendorRef = refs[1]!;
  const { incidents } = sigap;
  await incidents.commands.act(admin, vendorRef, { action: 'escalate', level: 2, note: 'Diteruskan ke vendor aplikasi pengaduan.' } as never);

  const vendor = await started.createUser('vendor-andalas', 'vendor', 'PT Andalas Solusi Teknologi Nusantara');
  await started.createUser('siti', 'service_desk', 'Siti Aminah');
  await started.createUser('kepala-bidang', 'manager', 'Kepala Bidang Pelayanan Perizinan');

  const services = await sigap.db.stores.checks.listServices();
  const now = new Date();
  await sigap.db.stores.maintenance.insert(
    {
      title: 'Pemindahan server aplikasi perizinan ke pusat data kabupaten',
      serviceId: services.find((s) => s.key === 'perizinan')!.id,
      checkId: null,
      schedule: { recurrence: 'none', startsAt: new Date(now.getTime() + 86_400_000), endsAt: new Date(now.getTime() + 90_000_000) },
      createdBy: 'admin',
    },
    now,
  );
  await sigap.db.stores.maintenance.insert(
    {
      title: 'Pencadangan mingguan',
      serviceId: null,
      checkId: null,
      schedule: { recurrence: 'weekly', weekdays: ['sat'], localStart: '22:00', durationMinutes: 120 },
      createdBy: 'admin',
    } as never,
    now,
  );

  await incidents.commands.act(admin, refs[2]!, { action: 'acknowledge' } as never);
  await incidents.commands.act(admin, refs[2]!, { action: 'resolve', resolutionCode: 'restarted', note: 'Indeks dibuat ulang; formulir terbuka dalam 1 detik.' } as never);
  const session = await apiLogIn(sigap.url!);
  const res = await fetch(`${sigap.url}/api/incidents/${refs[2]}/known-error`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({
      title: 'Formulir SKM lambat karena kueri tanpa indeks',
      symptoms: 'Formulir butuh lebih dari 15 detik; log menunjukkan SELECT * FROM jawaban_survei WHERE responden_id=… tanpa indeks.',
      cause: 'Indeks hilang setelah pemulihan basis data.',
      workaround: 'Jalankan CREATE INDEX jawaban_survei_responden_idx ON jawaban_survei(responden_id);',
    }),
  });
  if (res.status !== 201) throw new Error(`the known error was not saved: ${res.status} ${await res.text()}`);
  return { started, baseUrl: sigap.url!, refs, vendorRef, vendor };
}

/** What page-side code (run in Chromium by `evaluate`) uses of the DOM: this project compiles without the DOM library. */
export interface DomRect {
  top: number;
  right: number;
  bottom: number;
  left: number;
  width: number;
  height: number;
}
export interface DomElement {
  tagName: string;
  id: string;
  className: unknown;
  textContent: string | null;
  parentElement: DomElement | null;
  getBoundingClientRect(): DomRect;
  getAttribute(name: string): string | null;
  checkVisibility(options?: object): boolean;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
export interface PageGlobals {
  document: {
    documentElement: DomElement & { clientWidth: number; scrollWidth: number; scrollHeight: number };
    body: DomElement;
    activeElement: DomElement | null;
    querySelectorAll(selector: string): ArrayLike<DomElement>;
  };
  getComputedStyle(element: DomElement): { color: string; backgroundColor: string; display: string; outlineStyle: string; outlineWidth: string };
}

/** How much wider than the viewport the page is (0: no sideways scrolling), and what sticks out. */
export async function overflow(page: Page): Promise<{ scrollWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const width = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (!el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      if (r.right > width + 0.5 && r.width > 0) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
        culprits.push(`${name} right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 8) };
  });
}
