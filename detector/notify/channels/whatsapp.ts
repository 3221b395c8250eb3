// WhatsApp channel: the WhatsApp Business Cloud API (Graph API) `POST /{phoneNumberId}/messages`,
// one message per outbox row to the row's phone number. Free text inside the 24-hour customer
// service window; a pre-approved template (business-initiated) when the channel names one. The
// API's errors become the delivery's last error in the channel's language, with Meta's code kept;
// the ones a retry cannot fix (a bad token, an unknown number, a missing template) are permanent.
// The Cloud API has no idempotency header: the row's Idempotency-Key is sent all the same (the
// Graph API ignores headers it does not know; a proxy or a stand-in can use it).
import { phoneText } from '../messages.js';
import { DeliveryError, type Channel, type ChannelConfig, type MessageLanguage, type OutboxDelivery } from '../notification-types.js';
import { normalizePhoneNumber } from '../../incidents/reporter.js';
import { HttpClientChannel, postJson, type HttpChannelOptions } from './webhook.js';

export type WhatsappChannelConfig = Extract<ChannelConfig, { type: 'whatsapp' }>;

/** The Graph API's error answer: `{ error: { message, type, code, error_subcode, error_data: { details }, fbtrace_id } }`. */
interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
}

interface ErrorMeaning {
  /** Retrying later cannot help: the row waits for a person (after the configuration is fixed). */
  permanent: boolean;
  id: string;
  en: string;
}

const TOKEN: ErrorMeaning = {
  permanent: true,
  id: 'access token tidak berlaku atau kedaluwarsa: buat token baru (System User) di Meta Business dan perbarui accessToken',
  en: 'the access token is invalid or has expired: create a new (System User) token in Meta Business and update accessToken',
};
const PERMISSION: ErrorMeaning = {
  permanent: true,
  id: 'token tidak punya izin whatsapp_business_messaging untuk nomor ini: periksa izin aplikasi dan phoneNumberId',
  en: 'the token lacks the whatsapp_business_messaging permission for this number: check the app permissions and phoneNumberId',
};
const RATE: ErrorMeaning = {
  permanent: false,
  id: 'batas kecepatan kirim WhatsApp tercapai; akan dicoba lagi otomatis',
  en: 'WhatsApp rate limit reached; it will be tried again automatically',
};
const TEMPORARY: ErrorMeaning = {
  permanent: false,
  id: 'layanan WhatsApp sedang bermasalah; akan dicoba lagi otomatis',
  en: 'the WhatsApp service has a temporary problem; it will be tried again automatically',
};
const TEMPLATE: ErrorMeaning = {
  permanent: true,
  id: 'template pesan ditolak (tidak ada, belum disetujui, bahasanya tidak cocok, atau jumlah parameternya bukan 3): periksa template.name dan template.language',
  en: 'the message template was refused (missing, not approved, wrong language, or not exactly 3 parameters): check template.name and template.language',
};

/** Meta's error codes (developers.facebook.com, WhatsApp error codes) → what they mean here. */
const MEANINGS: ReadonlyMap<number, ErrorMeaning> = new Map<number, ErrorMeaning>([
  [0, TOKEN],
  [190, TOKEN],
  [3, PERMISSION],
  [10, PERMISSION],
  [4, RATE],
  [80007, RATE],
  [130429, RATE],
  [
    131048,
    {
      permanent: false,
      id: 'pengiriman dibatasi karena banyak pesan ditandai spam; akan dicoba lagi otomatis',
      en: 'sending is limited because many messages were marked as spam; it will be tried again automatically',
    },
  ],
  [
    131056,
    {
      permanent: false,
      id: 'terlalu banyak pesan ke nomor yang sama dalam waktu singkat; akan dicoba lagi otomatis',
      en: 'too many messages to the same number in a short time; it will be tried again automatically',
    },
  ],
  [1, TEMPORARY],
  [2, TEMPORARY],
  [131000, TEMPORARY],
  [131016, TEMPORARY],
  [133004, TEMPORARY],
  [
    368,
    {
      permanent: false,
      id: 'akun diblokir sementara karena pelanggaran kebijakan WhatsApp; akan dicoba lagi',
      en: 'the account is temporarily blocked for a WhatsApp policy violation; it will be tried again',
    },
  ],
  [
    131047,
    {
      permanent: true,
      id: 'di luar jendela 24 jam: penerima belum membalas dalam 24 jam terakhir, jadi teks bebas ditolak; pakai template yang disetujui (template.name), atau kirim ulang setelah penerima membalas',
      en: 'outside the 24-hour window: the recipient has not replied in the last 24 hours, so free text is refused; use an approved template (template.name), or retry after the recipient replies',
    },
  ],
  [
    131026,
    {
      permanent: true,
      id: 'pesan tidak dapat diantar: nomor tidak memakai WhatsApp atau aplikasinya terlalu lama',
      en: 'message undeliverable: the number does not use WhatsApp or its app is too old',
    },
  ],
  [133010, { permanent: true, id: 'nomor pengirim (phoneNumberId) belum terdaftar di Cloud API', en: 'the sending number (phoneNumberId) is not registered with the Cloud API' }],
  [131030, { permanent: true, id: 'nomor penerima tidak ada di daftar nomor uji akun ini', en: 'the recipient is not in the allowed list of this test account' }],
  [131031, { permanent: true, id: 'akun WhatsApp Business terkunci: hubungi Meta', en: 'the WhatsApp Business account is locked: contact Meta' }],
  [131021, { permanent: true, id: 'nomor penerima sama dengan nomor pengirim', en: 'the recipient is the sending number itself' }],
  [
    100,
    {
      permanent: true,
      id: 'parameter tidak valid (nomor tujuan, phoneNumberId atau template): periksa konfigurasi kanal',
      en: 'invalid parameter (recipient, phoneNumberId or template): check the channel configuration',
    },
  ],
  [131008, { permanent: true, id: 'parameter wajib tidak ada di permintaan', en: 'a required parameter is missing from the request' }],
  [131009, { permanent: true, id: 'nilai parameter tidak valid (nomor tujuan atau template)', en: 'a parameter value is not valid (recipient or template)' }],
  [132000, TEMPLATE],
  [132001, TEMPLATE],
  [132005, TEMPLATE],
  [132007, TEMPLATE],
  [132012, TEMPLATE],
  [132015, TEMPLATE],
  [132016, TEMPLATE],
  [132018, TEMPLATE],
]);

const WORDS: Record<MessageLanguage, { code: string; http: string; badRecipient: (r: string) => string; noRecipient: string; unknown: string }> = {
  id: {
    code: 'kode',
    http: 'jawaban HTTP',
    badRecipient: (r) => `"${r}" bukan nomor telepon (contoh: 0812-3456-7890 atau +62 812 3456 7890)`,
    noRecipient: 'baris ini tidak punya nomor tujuan',
    unknown: 'WhatsApp menolak pesan',
  },
  en: {
    code: 'code',
    http: 'HTTP answer',
    badRecipient: (r) => `"${r}" is not a phone number (such as 0812-3456-7890 or +62 812 3456 7890)`,
    noRecipient: 'this row has no phone number',
    unknown: 'WhatsApp refused the message',
  },
};

/** The meaning of a Graph API error; an unknown code is retried unless the HTTP status says the request itself is wrong. */
export function whatsappErrorMeaning(code: number | null, statusCode: number): ErrorMeaning | null {
  const known = code !== null ? MEANINGS.get(code) : undefined;
  if (known) return known;
  if (code !== null && code >= 200 && code <= 299) return PERMISSION;
  if (statusCode === 401) return TOKEN;
  if (statusCode === 403) return PERMISSION;
  if (statusCode === 429) return RATE;
  if (statusCode >= 500) return TEMPORARY;
  return null;
}

export class WhatsappChannel extends HttpClientChannel implements Channel {
  readonly type = 'whatsapp' as const;

  constructor(
    private readonly config: WhatsappChannelConfig,
    options: HttpChannelOptions = {},
  ) {
    super(config.key, options);
  }

  async send(delivery: OutboxDelivery): Promise<void> {
    const words = WORDS[this.config.language];
    const label = `whatsapp ${this.key}`;
    if (!delivery.recipient) throw new DeliveryError(`${label}: ${words.noRecipient}`, true);
    const to = normalizePhoneNumber(delivery.recipient);
    if (!to) throw new DeliveryError(`${label}: ${words.badRecipient(delivery.recipient)}`, true);
    const url = `${this.config.apiBaseUrl}/${encodeURIComponent(this.config.phoneNumberId)}/messages`;
    const response = await postJson(url, this.message(to, delivery), {
      headers: { authorization: `Bearer ${this.config.accessToken}`, 'idempotency-key': delivery.idempotencyKey },
      timeoutMs: this.config.timeoutMs,
      dispatcher: this.dispatcher,
      label,
      language: this.config.language,
    });
    if (response.statusCode >= 200 && response.statusCode <= 299) return;
    const error = graphErrorOf(response.text);
    const code = typeof error?.code === 'number' ? error.code : null;
    const meaning = whatsappErrorMeaning(code, response.statusCode);
    const said = code !== null ? `${words.code} ${code}` : `${words.http} ${response.statusCode}`;
    const explained = meaning ? meaning[this.config.language] : `${words.unknown}: ${(error?.error_data?.details ?? error?.message ?? response.text).slice(0, 200)}`;
    throw new DeliveryError(this.redact(`${label}: ${explained} (${said})`), meaning?.permanent ?? false);
  }

  /** The Cloud API's message: a template (3 body parameters: ref, short text, link) or free text. */
  private message(to: string, delivery: OutboxDelivery): Record<string, unknown> {
    const text = phoneText(delivery.payload);
    const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
    const template = this.config.template;
    if (!template) return { ...base, type: 'text', text: { body: text, preview_url: false } };
    // A template parameter may hold no new line or tab and no run of more than four spaces.
    const parameter = (value: string) => ({ type: 'text', text: value.replace(/[\r\n\t]+/g, ' · ').replace(/ {4,}/g, '   ') || '-' });
    return {
      ...base,
      type: 'template',
      template: {
        name: template.name,
        language: { code: template.language },
        components: [{ type: 'body', parameters: [parameter(delivery.payload.incident.ref), parameter(text), parameter(delivery.payload.link)] }],
      },
    };
  }

  /** Whatever the API echoes back, the token does not leave this class. */
  private redact(message: string): string {
    return this.config.accessToken ? message.split(this.config.accessToken).join('[redacted]') : message;
  }
}

function graphErrorOf(text: string): GraphError | null {
  try {
    const value: unknown = JSON.parse(text);
    const error = typeof value === 'object' && value !== null ? (value as { error?: unknown }).error : undefined;
    return typeof error === 'object' && error !== null ? (error as GraphError) : null;
  } catch {
    return null;
  }
}
