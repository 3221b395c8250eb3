// The monthly report e-mail's text, in Indonesian: subject, an HTML body with the key figures as
// tables (every value escaped: service names come from the config and the dashboard) and the same
// as plain text for mail readers without HTML.
import type { ReportFigures } from './report-figures.js';

export interface ReportMessage {
  subject: string;
  html: string;
  text: string;
}

const escapeHtml = (value: string | number) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (tag: 'th' | 'td', v: string | number) => `<${tag} style="border:1px solid #999;padding:4px 8px;text-align:left">${escapeHtml(v)}</${tag}>`;
  return [
    '<table style="border-collapse:collapse;margin:0 0 16px">',
    `<thead><tr>${head.map((h) => cell('th', h)).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((v) => cell('td', v)).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

export const AVAILABILITY_HEAD = ['Layanan', 'Ketersediaan', 'Waktu gangguan'] as const;
export const PRIORITY_HEAD = [
  'Prioritas',
  'Insiden',
  'Dihitung pada',
  'MTTA',
  'MTTR pemulihan',
  'MTTR penyelesaian',
  'Pelanggaran respons',
  'Pelanggaran penyelesaian',
  'SLA terpenuhi',
] as const;

export const REPORTED_VIA_HEAD = ['Laporan masuk lewat', 'Insiden'] as const;
export const NO_REPORTS = 'Tidak ada laporan masyarakat yang dicatat bulan ini.';

export function reportedViaRows(figures: ReportFigures): Array<[string, number]> {
  return figures.reportedVia.map((r) => [r.channel, r.incidents]);
}

export function priorityCells(p: ReportFigures['priorities'][number]): Array<string | number> {
  return [p.priority, p.incidents, p.clock, p.mtta, p.mttRestore, p.mttResolve, p.responseBreaches, p.resolutionBreaches, p.slaMet];
}

export function renderReportMail(figures: ReportFigures, office: string | null): ReportMessage {
  const subject = `Laporan bulanan layanan ${figures.monthLabel}${office ? ` — ${office}` : ''}`;
  const summary = `Jumlah insiden: ${figures.totals.incidents}; pelanggaran SLA: ${figures.totals.breaches}; dibatalkan: ${figures.totals.canceled}.`;
  const availabilityRows = figures.availability.map((a) => [a.service, a.availability, a.downtime]);
  const html = [
    '<!doctype html><html lang="id"><head><meta charset="utf-8"></head><body style="font-family:Arial,sans-serif">',
    `<h1 style="font-size:18px">${escapeHtml(subject)}</h1>`,
    '<p>Yth. Bapak/Ibu, berikut ringkasan kinerja layanan bulan lalu. Laporan lengkap terlampir (PDF dan CSV).</p>',
    `<p>${escapeHtml(summary)}</p>`,
    '<h2 style="font-size:16px">Ketersediaan layanan</h2>',
    table(AVAILABILITY_HEAD, availabilityRows),
    '<h2 style="font-size:16px">Insiden per prioritas</h2>',
    table(PRIORITY_HEAD, figures.priorities.map(priorityCells)),
    '<h2 style="font-size:16px">Laporan masyarakat menurut saluran</h2>',
    figures.reportedVia.length > 0 ? table(REPORTED_VIA_HEAD, reportedViaRows(figures)) : `<p>${NO_REPORTS}</p>`,
    '<p style="color:#555;font-size:12px">MTTA: rata-rata waktu sampai insiden ditanggapi; MTTR: rata-rata waktu sampai layanan pulih dan sampai insiden diselesaikan (tanpa waktu tertunda), dihitung pada jam kerja untuk prioritas yang target SLA-nya berjalan pada jam kerja.</p>',
    '<p style="color:#555;font-size:12px">Surel ini dikirim otomatis oleh Sigap.</p>',
    '</body></html>',
  ].join('\n');
  const line = (cells: ReadonlyArray<string | number>) => `  ${cells.join(' | ')}`;
  const text = [
    subject,
    '',
    'Yth. Bapak/Ibu, berikut ringkasan kinerja layanan bulan lalu. Laporan lengkap terlampir (PDF dan CSV).',
    summary,
    '',
    'Ketersediaan layanan:',
    line(AVAILABILITY_HEAD),
    ...availabilityRows.map(line),
    '',
    'Insiden per prioritas:',
    line(PRIORITY_HEAD),
    ...figures.priorities.map((p) => line(priorityCells(p))),
    '',
    'Laporan masyarakat menurut saluran:',
    ...(figures.reportedVia.length > 0 ? [line(REPORTED_VIA_HEAD), ...reportedViaRows(figures).map(line)] : [`  ${NO_REPORTS}`]),
    '',
    'Surel ini dikirim otomatis oleh Sigap.',
  ].join('\n');
  return { subject, html, text };
}
