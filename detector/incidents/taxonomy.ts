// The fixed incident taxonomy (DESIGN §4) and how a probe failure maps onto it.
import type { FailureKind } from '../../probes/probe-types.js';

export type Urgency = 'high' | 'medium' | 'low';

interface FailureClass {
  category: string;
  subcategory: string;
  urgency: Urgency;
  label: { id: string; en: string };
}

export const FAILURE_CLASSES: Readonly<Record<FailureKind, FailureClass>> = {
  dns: { category: 'network', subcategory: 'dns', urgency: 'high', label: { id: 'nama domain tidak dapat di-resolve', en: 'domain name does not resolve' } },
  connect: { category: 'network', subcategory: 'connection', urgency: 'high', label: { id: 'koneksi gagal', en: 'connection failed' } },
  tls: { category: 'security', subcategory: 'certificate', urgency: 'high', label: { id: 'sertifikat TLS tidak valid', en: 'TLS certificate invalid' } },
  tls_expiring: {
    category: 'security',
    subcategory: 'certificate-expiry',
    urgency: 'low',
    label: { id: 'sertifikat TLS segera kedaluwarsa', en: 'TLS certificate expiring soon' },
  },
  timeout: { category: 'availability', subcategory: 'timeout', urgency: 'high', label: { id: 'tidak merespons (timeout)', en: 'no response (timeout)' } },
  http_5xx: { category: 'availability', subcategory: 'server-error', urgency: 'high', label: { id: 'kesalahan server (HTTP 5xx)', en: 'server error (HTTP 5xx)' } },
  http_4xx: { category: 'application', subcategory: 'http-status', urgency: 'medium', label: { id: 'status HTTP tidak sesuai', en: 'unexpected HTTP status' } },
  content: { category: 'application', subcategory: 'content', urgency: 'medium', label: { id: 'isi halaman tidak sesuai', en: 'page content wrong' } },
  slow: { category: 'performance', subcategory: 'slow-response', urgency: 'low', label: { id: 'respons lambat', en: 'slow response' } },
  blocked: {
    category: 'security',
    subcategory: 'blocked-address',
    urgency: 'high',
    label: { id: 'alamat tujuan diblokir (alamat internal)', en: 'destination address blocked (internal address)' },
  },
  defacement: {
    category: 'security',
    subcategory: 'defacement',
    urgency: 'high',
    label: { id: 'tampilan situs dirusak (judi online/defacement)', en: 'site defaced (gambling/defacement content)' },
  },
  injected_content: {
    category: 'security',
    subcategory: 'injected-content',
    urgency: 'high',
    label: { id: 'konten sisipan (tautan tersembunyi/asing)', en: 'injected content (hidden or foreign links)' },
  },
  cloaking: {
    category: 'security',
    subcategory: 'cloaking',
    urgency: 'high',
    label: { id: 'cloaking: mesin pencari disuguhi halaman lain', en: 'cloaking: search engines are served another page' },
  },
};

/** Categories and subcategories a person may choose when logging an incident by hand. */
export const TAXONOMY: Readonly<Record<string, readonly string[]>> = {
  availability: ['outage', 'timeout', 'server-error'],
  network: ['dns', 'connection'],
  security: ['certificate', 'certificate-expiry', 'blocked-address', 'unauthorized-access', 'defacement', 'injected-content', 'cloaking'],
  application: ['http-status', 'content', 'form-submission', 'data-error'],
  performance: ['slow-response'],
  data: ['data-loss', 'data-quality'],
  other: ['other'],
};

export function classifyFailure(kind: FailureKind): FailureClass {
  return FAILURE_CLASSES[kind];
}
