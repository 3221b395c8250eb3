// Incident codes in words for texts built outside the pages (e-mail, Telegram, phone messages): the
// same words as the pages' locales (`category.*`, `subcategory.*`, `form.resolution.*`,
// `lang.closureCode.*`, `reporter.via.*` in views/locales), which tests/views/incident-words.test.ts keeps equal.
import type { WordsLanguage } from './probe-words.js';

type Words = Readonly<Record<string, { id: string; en: string }>>;

export const CATEGORY_WORDS: Words = {
  availability: { id: 'ketersediaan', en: 'availability' },
  network: { id: 'jaringan', en: 'network' },
  security: { id: 'keamanan', en: 'security' },
  application: { id: 'aplikasi', en: 'application' },
  performance: { id: 'kinerja', en: 'performance' },
  data: { id: 'data', en: 'data' },
  other: { id: 'lainnya', en: 'other' },
};

export const SUBCATEGORY_WORDS: Words = {
  outage: { id: 'layanan mati', en: 'outage' },
  timeout: { id: 'tidak menjawab tepat waktu', en: 'timeout' },
  'server-error': { id: 'galat server', en: 'server error' },
  dns: { id: 'DNS', en: 'DNS' },
  connection: { id: 'koneksi', en: 'connection' },
  certificate: { id: 'sertifikat', en: 'certificate' },
  'certificate-expiry': { id: 'sertifikat hampir kedaluwarsa', en: 'certificate expiring' },
  'blocked-address': { id: 'alamat diblokir', en: 'blocked address' },
  'unauthorized-access': { id: 'akses tanpa izin', en: 'unauthorized access' },
  defacement: { id: 'tampilan dirusak (deface)', en: 'defacement' },
  'injected-content': { id: 'konten sisipan', en: 'injected content' },
  cloaking: { id: 'cloaking (halaman khusus mesin pencari)', en: 'cloaking (crawler-only page)' },
  'http-status': { id: 'status HTTP', en: 'HTTP status' },
  content: { id: 'isi halaman', en: 'page content' },
  'form-submission': { id: 'pengiriman formulir', en: 'form submission' },
  'data-error': { id: 'galat data', en: 'data error' },
  'slow-response': { id: 'respons lambat', en: 'slow response' },
  'data-loss': { id: 'data hilang', en: 'data loss' },
  'data-quality': { id: 'mutu data', en: 'data quality' },
  other: { id: 'lainnya', en: 'other' },
};

export const RESOLUTION_CODE_WORDS: Words = {
  fixed: { id: 'Diperbaiki', en: 'Fixed' },
  workaround: { id: 'Solusi sementara diterapkan', en: 'Workaround applied' },
  restarted: { id: 'Dijalankan ulang', en: 'Restarted' },
  vendor_fixed: { id: 'Diperbaiki vendor', en: 'Fixed by the vendor' },
  no_fault_found: { id: 'Tidak ditemukan gangguan', en: 'No fault found' },
  auto_recovered: { id: 'Pulih dengan sendirinya', en: 'Recovered by itself' },
};

export const CLOSURE_CODE_WORDS: Words = {
  confirmed: { id: 'dikonfirmasi pelapor', en: 'confirmed by the reporter' },
  unconfirmed: { id: 'pelapor tidak dapat dihubungi', en: 'reporter could not be reached' },
  auto_closed: { id: 'ditutup otomatis', en: 'closed automatically' },
  monitoring_verified: { id: 'diverifikasi pemantauan', en: 'verified by monitoring' },
};

/** How a report came in (`reportedVia`). */
export const REPORTED_VIA_WORDS: Words = {
  phone: { id: 'telepon', en: 'phone' },
  whatsapp: { id: 'WhatsApp', en: 'WhatsApp' },
  email: { id: 'surel', en: 'e-mail' },
  walk_in: { id: 'datang langsung', en: 'walk-in' },
  lapor: { id: 'SP4N-LAPOR!', en: 'SP4N-LAPOR!' },
  social_media: { id: 'media sosial', en: 'social media' },
  other: { id: 'lainnya', en: 'other' },
};

const say = (words: Words, code: string | null | undefined, lang: WordsLanguage): string => (code ? (words[code]?.[lang] ?? code) : '');

/** "ketersediaan / layanan mati" for `availability` / `outage`. */
export const taxonomyText = (category: string, subcategory: string, lang: WordsLanguage): string =>
  `${say(CATEGORY_WORDS, category, lang)} / ${say(SUBCATEGORY_WORDS, subcategory, lang)}`;
export const resolutionCodeText = (code: string | null | undefined, lang: WordsLanguage): string => say(RESOLUTION_CODE_WORDS, code, lang);
export const closureCodeText = (code: string | null | undefined, lang: WordsLanguage): string => say(CLOSURE_CODE_WORDS, code, lang);
export const reportedViaText = (via: string | null | undefined, lang: WordsLanguage): string => say(REPORTED_VIA_WORDS, via, lang);
