// The monthly report's PDF and mail text from key figures: letterhead, signature block, page
// numbers and print date; Indonesian formatting of the figures.
import { describe, expect, it } from 'vitest';
import { duration, monthLabel, percent, type ReportFigures } from '../../../detector/reporting/report-figures.js';
import { renderReportMail } from '../../../detector/reporting/report-mail.js';
import { renderReportPdf } from '../../../detector/reporting/report-pdf.js';
import { pdfText } from '../../helpers/mail.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function figures(services: number): ReportFigures {
  return {
    month: '2026-11',
    monthLabel: 'November 2026',
    availability: Array.from({ length: services }, (_, i) => ({ service: `Layanan ${i + 1}`, availability: '99,50 %', downtime: '216 menit' })),
    priorities: (['P1', 'P2', 'P3', 'P4', 'P5'] as const).map((priority) => ({
      priority,
      incidents: 2,
      clock: priority === 'P1' || priority === 'P2' ? '24 jam' : 'jam kerja',
      mtta: '12 menit',
      mttRestore: '1 jam 5 menit',
      mttResolve: '3 jam',
      responseBreaches: 1,
      resolutionBreaches: 0,
      slaMet: '1 dari 2 (50,00 %)',
    })),
    reportedVia: [
      { channel: 'telepon', incidents: 3 },
      { channel: 'SP4N-LAPOR!', incidents: 1 },
    ],
    totals: { incidents: 10, breaches: 5, canceled: 1 },
  };
}

const printedAt = new Date('2026-12-01T01:00:00Z');

describe('the monthly report PDF', () => {
  it('has the letterhead, the month, the figures, the signature block, and each page’s number and print date', async () => {
    const pdf = await renderReportPdf(figures(2), {
      letterhead: { office: 'DPMPTSP Kabupaten Ogan Komering Ilir', address: 'Jl. Letnan Mukhtar Saleh No. 1, Kayuagung', logo: PNG },
      signature: { title: 'Kepala Bidang Pengaduan', name: 'Siti Aminah, S.Kom.', nip: '198001012005012001' },
      printedAt,
      timezone: 'Asia/Jakarta',
    });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain('/Subtype /Image');
    const lines = pdfText(pdf).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'DPMPTSP Kabupaten Ogan Komering Ilir',
      'Jl. Letnan Mukhtar Saleh No. 1, Kayuagung',
      'LAPORAN BULANAN KINERJA LAYANAN',
      'Bulan November 2026',
    ]);
    expect(lines).toEqual(expect.arrayContaining(['Layanan 2', '99,50 %', '216 menit', 'P5', '1 dari 2 (50,00 %)']));
    const byChannel = lines.indexOf('Laporan masyarakat menurut saluran');
    expect(lines.slice(byChannel, byChannel + 7)).toEqual(['Laporan masyarakat menurut saluran', 'Laporan masuk lewat', 'Insiden', 'telepon', '3', 'SP4N-LAPOR!', '1']);
    const signature = lines.indexOf('Mengetahui,');
    expect(lines.slice(signature - 1, signature + 4)).toEqual(['1 Desember 2026', 'Mengetahui,', 'Kepala Bidang Pengaduan', 'Siti Aminah, S.Kom.', 'NIP. 198001012005012001']);
    expect(lines).toContain('Dicetak: 1 Desember 2026 pukul 08.00 WIB');
    expect(lines).toContain('Halaman 1 dari 1');
  });

  it('numbers every page of a long report', async () => {
    const pdf = await renderReportPdf(figures(60), { letterhead: null, signature: null, printedAt, timezone: 'Asia/Jakarta' });
    const lines = pdfText(pdf).split('\n');
    const pages = lines.filter((l) => /^Halaman \d+ dari \d+$/.test(l));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages).toEqual(pages.map((_, i) => `Halaman ${i + 1} dari ${pages.length}`));
    expect(lines.filter((l) => l.startsWith('Dicetak: '))).toHaveLength(pages.length);
    expect(lines).toContain('Layanan 60');
  });

  it('leaves blanks to fill in by hand without a configured signature, and a logo it cannot read out', async () => {
    const pdf = await renderReportPdf(figures(1), { letterhead: { office: 'Kantor', logo: Buffer.from('not an image') }, signature: null, printedAt, timezone: 'Asia/Jakarta' });
    const lines = pdfText(pdf).split('\n');
    expect(pdf.toString('latin1')).not.toContain('/Subtype /Image');
    expect(lines[0]).toBe('Kantor');
    const signature = lines.indexOf('Mengetahui,');
    expect(lines[signature + 3]).toMatch(/^NIP\. \.+$/);
  });
});

describe('the monthly report mail', () => {
  it('escapes what it shows and names the month and office in the subject', () => {
    const f = figures(1);
    f.availability[0]!.service = '<script>alert("x")</script> & Co';
    const mail = renderReportMail(f, 'DPMPTSP <OKI>');
    expect(mail.subject).toBe('Laporan bulanan layanan November 2026 — DPMPTSP <OKI>');
    expect(mail.html).toContain('DPMPTSP &lt;OKI&gt;');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert("x")</script> & Co | 99,50 % | 216 menit');
  });

  it('counts the public’s reports by how they came in, or says there were none', () => {
    const mail = renderReportMail(figures(1), null);
    expect(mail.text).toContain('Laporan masyarakat menurut saluran:\n  Laporan masuk lewat | Insiden\n  telepon | 3\n  SP4N-LAPOR! | 1');
    expect(mail.html).toContain('<h2 style="font-size:16px">Laporan masyarakat menurut saluran</h2>');
    const none = renderReportMail({ ...figures(1), reportedVia: [] }, null);
    expect(none.text).toContain('Tidak ada laporan masyarakat yang dicatat bulan ini.');
  });

  it.each([
    { ms: null, text: '—' },
    { ms: 45 * 60_000, text: '45 menit' },
    { ms: 125 * 60_000, text: '2 jam 5 menit' },
    { ms: 3 * 3_600_000, text: '3 jam' },
    { ms: 25 * 3_600_000, text: '1 hari 1 jam' },
  ])('writes $ms ms as "$text"', ({ ms, text }) => {
    expect(duration(ms)).toBe(text);
  });

  it('writes ratios as Indonesian percentages, never rounding up to 100', () => {
    expect(percent(0.99999)).toBe('99,99 %');
    expect(percent(1)).toBe('100,00 %');
    expect(percent(null)).toBe('—');
    expect(monthLabel('2027-01')).toBe('Januari 2027');
  });
});
