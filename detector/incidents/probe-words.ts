// What a probe found, said to a person: the probes write their reasons, error codes and phase names in
// English (stored as they are, for logs and the API); the pages and the messages say them here, in
// Indonesian or English. Every reason a probe in probes/ can write has an entry (by its skeleton:
// the template with each `${…}` as `…`); tests/views/probe-words.test.ts fails for one without.
import type { FailureKind, PhaseTimings, ProbeEvidence } from '../../probes/probe-types.js';
import { FAILURE_CLASSES } from './taxonomy.js';

export type WordsLanguage = 'id' | 'en';

interface ReasonWords {
  /** The reason's template in probes/, each `${…}` written `…`. */
  skeleton: string;
  pattern: RegExp;
  id: (m: RegExpExecArray) => string;
  en: (m: RegExpExecArray) => string;
}

const days = (n: string, lang: WordsLanguage) => (lang === 'id' ? `${n} hari` : `${n} ${n === '1' ? 'day' : 'days'}`);

function certificateWhen(when: string, lang: WordsLanguage): string {
  const left = /^expires in (-?\d+) days?$/.exec(when);
  if (left) return lang === 'id' ? `berakhir dalam ${days(left[1]!, lang)}` : `expires in ${days(left[1]!, lang)}`;
  return lang === 'id' ? 'sudah kedaluwarsa' : 'has expired';
}

const ADDRESS_WHY: Record<string, { id: string; en: string }> = {
  'a link-local address': { id: 'alamat link-local (termasuk alamat metadata cloud)', en: 'a link-local address (the cloud metadata address among them)' },
  'an unspecified address': { id: 'alamat tak tentu (0.0.0.0 atau ::)', en: 'an unspecified address (0.0.0.0 or ::)' },
  'a private address reached by a redirect from a public one': {
    id: 'alamat privat yang dituju pengalihan dari alamat publik',
    en: 'a private address reached by a redirect from a public one',
  },
  'a loopback address reached by a redirect from a public one': {
    id: 'alamat loopback yang dituju pengalihan dari alamat publik',
    en: 'a loopback address reached by a redirect from a public one',
  },
};

export const PROBE_REASONS: readonly ReasonWords[] = [
  {
    skeleton: 'status … not in …',
    pattern: /^status (\d+) not in (.+)$/,
    id: (m) => `server menjawab dengan status HTTP ${m[1]}, padahal yang diharapkan ${m[2]!.replace(/[[\]]/g, '')}`,
    en: (m) => `the server answered HTTP ${m[1]}, expected ${m[2]!.replace(/[[\]]/g, '')}`,
  },
  {
    skeleton: 'too many redirects (…)',
    pattern: /^too many redirects \((\d+)\)$/,
    id: (m) => `terlalu banyak pengalihan (lebih dari ${m[1]})`,
    en: (m) => `too many redirects (more than ${m[1]})`,
  },
  {
    skeleton: 'body does not contain "…"',
    pattern: /^body does not contain "([\s\S]*)"$/,
    id: (m) => `halaman tidak memuat teks "${m[1]}" yang seharusnya ada`,
    en: (m) => `the page does not contain the expected text "${m[1]}"`,
  },
  {
    skeleton: 'body contains "…"',
    pattern: /^body contains "([\s\S]*)"$/,
    id: (m) => `halaman memuat teks "${m[1]}" yang menandakan gangguan`,
    en: (m) => `the page contains the text "${m[1]}", a sign of failure`,
  },
  {
    skeleton: 'form with fields … not found',
    pattern: /^form with fields (.+) not found$/,
    id: (m) => `formulir dengan isian ${m[1]} tidak ditemukan di halaman`,
    en: (m) => `no form with the fields ${m[1]} on the page`,
  },
  {
    skeleton: 'response took … ms, over the … ms limit',
    pattern: /^response took (\d+) ms, over the (\d+) ms limit$/,
    id: (m) => `jawaban butuh ${m[1]} ms, melebihi batas ${m[2]} ms`,
    en: (m) => `the answer took ${m[1]} ms, over the ${m[2]} ms limit`,
  },
  {
    skeleton: 'certificate … (…), under the …-day minimum',
    pattern: /^certificate (.+) \((.*)\), under the (\d+)-day minimum$/,
    id: (m) => `sertifikat ${certificateWhen(m[1]!, 'id')} (${m[2]}), kurang dari batas ${m[3]} hari`,
    en: (m) => `the certificate ${certificateWhen(m[1]!, 'en')} (${m[2]}), under the ${m[3]}-day minimum`,
  },
  {
    skeleton: 'no … records for …',
    pattern: /^no (\S+) records for (.+)$/,
    id: (m) => `tidak ada catatan DNS ${m[1]} untuk ${m[2]}`,
    en: (m) => `no DNS ${m[1]} records for ${m[2]}`,
  },
  {
    skeleton: 'expected answers missing: …',
    pattern: /^expected answers missing: (.+)$/,
    id: (m) => `jawaban DNS yang diharapkan tidak ada: ${m[1]}`,
    en: (m) => `expected DNS answers missing: ${m[1]}`,
  },
  {
    // address-guard.ts wraps address-policy.ts's reason: "<hop> refused: <address> is <why>: <rule> unless …"
    skeleton: '… refused: ……',
    pattern: /^(redirect to )?(\S+) refused: (\S+) is (.+?): .* unless the check sets allowPrivate: true(?: \(previous hop: (.+)\))?$/,
    id: (m) =>
      `${m[1] ? 'pengalihan ke ' : ''}${m[2]} ditolak: ${m[3]} adalah ${ADDRESS_WHY[m[4]!]?.id ?? 'alamat yang tidak boleh dihubungi'}${m[5] ? ` (langkah sebelumnya: ${m[5]})` : ''}; izinkan dengan allowPrivate: true bila memang disengaja`,
    en: (m) =>
      `${m[1] ? 'redirect to ' : ''}${m[2]} refused: ${m[3]} is ${ADDRESS_WHY[m[4]!]?.en ?? 'an address that may not be reached'}${m[5] ? ` (previous hop: ${m[5]})` : ''}; allow it with allowPrivate: true if meant`,
  },
  {
    skeleton: '… is …: … unless the check sets allowPrivate: true',
    pattern: /^(\S+) is (.+?): .* unless the check sets allowPrivate: true$/,
    id: (m) => `${m[1]} adalah ${ADDRESS_WHY[m[2]!]?.id ?? 'alamat yang tidak boleh dihubungi'}`,
    en: (m) => `${m[1]} is ${ADDRESS_WHY[m[2]!]?.en ?? 'an address that may not be reached'}`,
  },
  {
    skeleton: 'not judged: the probing host is offline (connectivity check …:… failed); the probe had failed with …',
    pattern: /^not judged: the probing host is offline \(connectivity check (.+) failed\); the probe had failed with (\w+)$/,
    id: (m) => `tidak dinilai: server pemantau sedang luring (pemeriksaan konektivitas ${m[1]} gagal); probe gagal karena ${failureKindText(m[2], 'id')}`,
    en: (m) => `not judged: the probing host is offline (connectivity check ${m[1]} failed); the probe failed with ${failureKindText(m[2], 'en')}`,
  },
  {
    skeleton: 'probe did not return within … ms and was cut off',
    pattern: /^probe did not return within (\d+) ms and was cut off$/,
    id: (m) => `probe tidak selesai dalam ${m[1]} ms dan dihentikan`,
    en: (m) => `the probe did not finish within ${m[1]} ms and was stopped`,
  },
  {
    skeleton: 'certificate not accepted for …: …',
    pattern: /^certificate not accepted for (\S+): (\S+)$/,
    id: (m) => `sertifikat untuk ${m[1]} tidak diterima: ${errorCodeText(m[2]!, 'id') ?? m[2]}`,
    en: (m) => `the certificate for ${m[1]} was not accepted: ${errorCodeText(m[2]!, 'en') ?? m[2]}`,
  },
  // integrity.ts and integrity-rules.ts: the integrity probe's reasons, details and bounds reached.
  {
    skeleton: 'integrity findings: …',
    pattern: /^integrity findings: (.+)$/,
    id: (m) => `temuan integritas situs: ${integrityCountsText(m[1]!, 'id')}`,
    en: (m) => `site integrity findings: ${integrityCountsText(m[1]!, 'en')}`,
  },
  {
    skeleton: 'page not readable: …',
    pattern: /^page not readable: (.+)$/,
    id: (m) => `halaman tidak dapat dibaca: ${unreadableText(m[1]!, 'id')}; integritas tidak dinilai`,
    en: (m) => `the page could not be read: ${unreadableText(m[1]!, 'en')}; integrity not judged`,
  },
  {
    skeleton: 'baseline not readable: …',
    pattern: /^baseline not readable: (.+)$/,
    id: (m) => `baseline integritas tidak dapat dibaca (${m[1]}); integritas tidak dinilai`,
    en: (m) => `the integrity baseline could not be read (${m[1]}); integrity not judged`,
  },
  {
    skeleton: 'domains added: …; removed: …',
    pattern: /^domains added: (.+); removed: (.+)$/,
    id: (m) => `domain bertambah: ${m[1] === 'none' ? 'tidak ada' : m[1]}; hilang: ${m[2] === 'none' ? 'tidak ada' : m[2]}`,
    en: (m) => `domains added: ${m[1]}; removed: ${m[2]}`,
  },
  {
    skeleton: 'text fingerprint … of 64 bits away, over …',
    pattern: /^text fingerprint (\d+) of 64 bits away, over (\d+)$/,
    id: (m) => `sidik teks halaman berbeda ${m[1]} dari 64 bit, melebihi batas ${m[2]}`,
    en: (m) => `the page text's fingerprint differs in ${m[1]} of 64 bits, over the limit of ${m[2]}`,
  },
  {
    skeleton: 'redirected to …, the browser was not',
    pattern: /^redirected to (\S+), the browser was not$/,
    id: (m) => `dialihkan ke ${m[1]}, sedangkan peramban biasa tidak`,
    en: (m) => `sent to ${m[1]}, while an ordinary browser was not`,
  },
  {
    skeleton: "text differs from the browser's: similarity …, under …",
    pattern: /^text differs from the browser's: similarity ([\d.]+), under ([\d.]+)$/,
    id: (m) => `teksnya berbeda dari yang dilihat peramban: kemiripan ${m[1]}, di bawah ${m[2]}`,
    en: (m) => `its text differs from the browser's: similarity ${m[1]}, under ${m[2]}`,
  },
  {
    skeleton: 'page: read the first … bytes of … as …',
    pattern: /^page: read the first (\d+) bytes of (\S+) as (\w+)$/,
    id: (m) => `halaman: hanya ${m[1]} bita pertama ${m[2]} yang dibaca (sebagai ${m[3]})`,
    en: (m) => `page: only the first ${m[1]} bytes of ${m[2]} were read (as ${m[3]})`,
  },
  {
    skeleton: 'sitemap: read the first … bytes of …',
    pattern: /^sitemap: read the first (\d+) bytes of (\S+)$/,
    id: (m) => `sitemap: hanya ${m[1]} bita pertama ${m[2]} yang dibaca`,
    en: (m) => `sitemap: only the first ${m[1]} bytes of ${m[2]} were read`,
  },
  {
    skeleton: 'sitemap: fetched … sitemap files of … listed',
    pattern: /^sitemap: fetched (\d+) sitemap files of (\d+) listed$/,
    id: (m) => `sitemap: hanya ${m[1]} dari ${m[2]} berkas sitemap yang diambil`,
    en: (m) => `sitemap: only ${m[1]} of ${m[2]} sitemap files listed were fetched`,
  },
  {
    skeleton: 'sitemap: stopped at … bytes of sitemaps in all',
    pattern: /^sitemap: stopped at (\d+) bytes of sitemaps in all$/,
    id: (m) => `sitemap: berhenti setelah ${m[1]} bita sitemap seluruhnya`,
    en: (m) => `sitemap: stopped after ${m[1]} bytes of sitemaps in all`,
  },
  {
    skeleton: 'sitemap: stopped at … URLs',
    pattern: /^sitemap: stopped at (\d+) URLs$/,
    id: (m) => `sitemap: berhenti setelah ${m[1]} URL`,
    en: (m) => `sitemap: stopped after ${m[1]} URLs`,
  },
  {
    skeleton: "time: sitemap and sample stopped after … ms, at the check's deadline",
    pattern: /^time: sitemap and sample stopped after (\d+) ms, at the check's deadline$/,
    id: (m) => `waktu: pembacaan sitemap dan contoh halaman dihentikan setelah ${m[1]} ms, pada batas waktu pemeriksaan`,
    en: (m) => `time: the sitemap and the sample were stopped after ${m[1]} ms, at the check's deadline`,
  },
  // probe-errors.ts: a deadline's message (errorMessage).
  {
    skeleton: 'name not resolved within … ms',
    pattern: /^name not resolved within (\d+) ms$/,
    id: (m) => `nama domain tidak terjawab dalam ${m[1]} ms`,
    en: (m) => `the name was not resolved within ${m[1]} ms`,
  },
  {
    skeleton: 'no connection within … ms',
    pattern: /^no connection within (\d+) ms$/,
    id: (m) => `tidak tersambung dalam ${m[1]} ms`,
    en: (m) => `no connection within ${m[1]} ms`,
  },
  {
    skeleton: 'no complete response within … ms',
    pattern: /^no complete response within (\d+) ms$/,
    id: (m) => `tidak ada jawaban lengkap dalam ${m[1]} ms`,
    en: (m) => `no complete answer within ${m[1]} ms`,
  },
];

/** What the integrity probe can find, in words (probes/probe-types.ts `IntegrityFindingKind`). */
export const INTEGRITY_FINDING_WORDS: Readonly<Record<string, { id: string; en: string }>> = {
  forbidden_term: { id: 'istilah terlarang', en: 'forbidden term' },
  hidden_link: { id: 'tautan tersembunyi', en: 'hidden link' },
  foreign_link: { id: 'tautan ke domain yang tidak diizinkan', en: 'link to a domain not allowed' },
  foreign_embed: { id: 'skrip atau bingkai dari domain yang tidak diizinkan', en: 'script or frame from a domain not allowed' },
  sitemap_entry: { id: 'entri sitemap mencurigakan', en: 'suspicious sitemap entry' },
  cloaking: { id: 'tampilan berbeda untuk mesin pencari (cloaking)', en: 'different page for search engines (cloaking)' },
  drift: { id: 'perubahan dari baseline', en: 'change from the baseline' },
};

/** "2 forbidden_term, 1 hidden_link" in words. */
function integrityCountsText(counts: string, lang: WordsLanguage): string {
  return counts
    .split(', ')
    .map((part) => {
      const m = /^(\d+) (\w+)$/.exec(part);
      return m ? `${m[1]} ${INTEGRITY_FINDING_WORDS[m[2]!]?.[lang] ?? m[2]}` : part;
    })
    .join(', ');
}

/** Why the integrity probe could not read the page: a status, too many redirects, an address refusal or an error code. */
function unreadableText(why: string, lang: WordsLanguage): string {
  const status = /^status (\d+)$/.exec(why);
  if (status) return lang === 'id' ? `server menjawab dengan status HTTP ${status[1]}` : `the server answered HTTP ${status[1]}`;
  if (why === 'too many redirects') return lang === 'id' ? 'terlalu banyak pengalihan' : 'too many redirects';
  if (why.includes(' refused: ')) return probeReasonText(why, lang);
  return errorCodeText(why, lang) ?? why;
}

/** A probe's reason in words; a reason without an entry is returned as written (tests keep that from happening). */
export function probeReasonText(reason: string, lang: WordsLanguage): string {
  for (const entry of PROBE_REASONS) {
    const match = entry.pattern.exec(reason);
    if (match) return entry[lang](match);
  }
  return reason;
}

/** Node's and undici's error codes (probes/probe-errors.ts), in words. */
export const ERROR_CODES: Readonly<Record<string, { id: string; en: string }>> = {
  ECONNREFUSED: { id: 'sambungan ditolak: tidak ada layanan yang menunggu di port itu', en: 'connection refused: nothing listens on that port' },
  ECONNRESET: { id: 'sambungan diputus oleh server', en: 'the server dropped the connection' },
  ECONNABORTED: { id: 'sambungan terputus', en: 'the connection was aborted' },
  EPIPE: { id: 'sambungan terputus saat mengirim', en: 'the connection broke while sending' },
  EHOSTUNREACH: { id: 'server tidak dapat dijangkau', en: 'the host cannot be reached' },
  ENETUNREACH: { id: 'jaringan tidak dapat dijangkau', en: 'the network cannot be reached' },
  EADDRNOTAVAIL: { id: 'alamat tidak tersedia', en: 'the address is not available' },
  ETIMEDOUT: { id: 'sambungan habis waktu', en: 'the connection timed out' },
  ENOTFOUND: { id: 'nama domain tidak ditemukan', en: 'the domain name was not found' },
  EAI_AGAIN: { id: 'server DNS tidak menjawab untuk sementara', en: 'the DNS server did not answer for now' },
  EAI_FAIL: { id: 'server DNS gagal menjawab', en: 'the DNS server failed' },
  EAI_NONAME: { id: 'nama domain tidak dikenal', en: 'the domain name is unknown' },
  EAI_NODATA: { id: 'nama domain tidak punya alamat', en: 'the domain name has no address' },
  ENODATA: { id: 'nama domain tidak punya catatan yang diminta', en: 'the name has no record of that type' },
  ESERVFAIL: { id: 'server DNS gagal menjawab', en: 'the DNS server failed' },
  ENONAME: { id: 'nama domain tidak dikenal', en: 'the domain name is unknown' },
  EBADNAME: { id: 'nama domain tidak sah', en: 'the domain name is malformed' },
  ETIMEOUT: { id: 'server DNS tidak menjawab tepat waktu', en: 'the DNS server did not answer in time' },
  UND_ERR_SOCKET: { id: 'sambungan terputus', en: 'the connection broke' },
  UND_ERR_CONNECT_TIMEOUT: { id: 'tidak tersambung tepat waktu', en: 'no connection in time' },
  UND_ERR_CLOSED: { id: 'sambungan ditutup', en: 'the connection was closed' },
  UND_ERR_DESTROYED: { id: 'sambungan dihentikan', en: 'the connection was destroyed' },
  UND_ERR_ABORTED: { id: 'permintaan dihentikan karena habis waktu', en: 'the request was stopped at its deadline' },
  UND_ERR_HEADERS_TIMEOUT: { id: 'server tidak mengirim jawaban tepat waktu', en: 'the server sent no answer in time' },
  UND_ERR_BODY_TIMEOUT: { id: 'isi jawaban tidak selesai terkirim tepat waktu', en: 'the answer’s body did not arrive in time' },
  ABORT_ERR: { id: 'permintaan dihentikan karena habis waktu', en: 'the request was stopped at its deadline' },
  TimeoutError: { id: 'habis waktu', en: 'timed out' },
  AbortError: { id: 'dihentikan karena habis waktu', en: 'stopped at its deadline' },
  EPROTO: { id: 'jabat tangan TLS gagal', en: 'the TLS handshake failed' },
  HOSTNAME_MISMATCH: { id: 'sertifikat bukan untuk nama domain ini', en: 'the certificate is for another name' },
  ERR_TLS_CERT_ALTNAME_INVALID: { id: 'sertifikat bukan untuk nama domain ini', en: 'the certificate is for another name' },
  CERT_HAS_EXPIRED: { id: 'sertifikat sudah kedaluwarsa', en: 'the certificate has expired' },
  CERT_NOT_YET_VALID: { id: 'sertifikat belum berlaku', en: 'the certificate is not valid yet' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { id: 'sertifikat ditandatangani sendiri (tidak dipercaya)', en: 'a self-signed certificate (not trusted)' },
  SELF_SIGNED_CERT_IN_CHAIN: { id: 'rantai sertifikat memuat sertifikat yang ditandatangani sendiri', en: 'a self-signed certificate in the chain' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { id: 'sertifikat tidak dapat diverifikasi (rantai tidak lengkap)', en: 'the certificate cannot be verified (incomplete chain)' },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { id: 'penerbit sertifikat tidak dipercaya', en: 'the certificate’s issuer is not trusted' },
  PROBE_HUNG: { id: 'probe macet dan dihentikan', en: 'the probe hung and was stopped' },
  ERR_ADDRESS_BLOCKED: { id: 'alamat tujuan diblokir', en: 'the destination address is blocked' },
};

/** An error code in words: a known code, a TLS/certificate family, or null for one to show as code. */
export function errorCodeText(code: string, lang: WordsLanguage): string | null {
  const known = ERROR_CODES[code];
  if (known) return known[lang];
  if (code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.startsWith('UNABLE_TO_')) {
    return lang === 'id' ? 'sertifikat TLS tidak dapat diterima' : 'the TLS certificate is not acceptable';
  }
  return null;
}

/** A failure kind (`connect`, `http_5xx`, …) in words, as the taxonomy labels it. */
export function failureKindText(kind: string | null | undefined, lang: WordsLanguage): string {
  if (!kind) return '';
  return FAILURE_CLASSES[kind as FailureKind]?.label[lang] ?? kind;
}

export const PHASE_WORDS: Readonly<Record<keyof PhaseTimings, { id: string; en: string }>> = {
  resolve: { id: 'pencarian DNS', en: 'DNS lookup' },
  connect: { id: 'sambungan', en: 'connection' },
  tls: { id: 'jabat tangan TLS', en: 'TLS handshake' },
  processing: { id: 'server memproses', en: 'server processing' },
  transfer: { id: 'pengiriman jawaban', en: 'transfer' },
};

/** A timing phase in words (`connect` → "sambungan"). */
export function phaseText(phase: string, lang: WordsLanguage): string {
  return PHASE_WORDS[phase as keyof PhaseTimings]?.[lang] ?? phase;
}

export const RESULT_STATUS_WORDS: Readonly<Record<string, { id: string; en: string }>> = {
  up: { id: 'normal', en: 'up' },
  degraded: { id: 'menurun', en: 'degraded' },
  down: { id: 'gangguan', en: 'down' },
  unknown: { id: 'tidak diketahui', en: 'unknown' },
};

/** A probe result's status in words (`up` → "normal"). */
export function resultStatusText(status: string, lang: WordsLanguage): string {
  return RESULT_STATUS_WORDS[status]?.[lang] ?? status;
}

/** A stored failure reason (a probe's reason, an error code, or "HTTP 500") in words; anything else as written. */
export function failureReasonText(text: string, lang: WordsLanguage): string {
  if (PROBE_REASONS.some((r) => r.pattern.test(text))) return probeReasonText(text, lang);
  return errorCodeText(text, lang) ?? text;
}

/** Why a probe failed, in one sentence: its reason, else its error in words, else its HTTP status. */
export function probeEvidenceText(evidence: Pick<ProbeEvidence, 'reason' | 'errorCode' | 'errorMessage' | 'statusCode'> | null | undefined, lang: WordsLanguage): string | null {
  if (!evidence) return null;
  if (evidence.reason) return probeReasonText(evidence.reason, lang);
  if (evidence.errorMessage && PROBE_REASONS.some((r) => r.pattern.test(evidence.errorMessage!))) return probeReasonText(evidence.errorMessage, lang);
  if (evidence.errorCode) return errorCodeText(evidence.errorCode, lang) ?? (lang === 'id' ? `galat jaringan (${evidence.errorCode})` : `network error (${evidence.errorCode})`);
  if (evidence.statusCode) return `HTTP ${evidence.statusCode}`;
  return null;
}
