// The monthly report as a printable PDF (pdfkit; no browser at run time): the office's letterhead
// (name, address, optional logo), the month, the key figures as tables, a signature block
// (Mengetahui / title / name / NIP), and on every page its number and the print date.
import PDFDocument from 'pdfkit';
import { AVAILABILITY_HEAD, NO_REPORTS, PRIORITY_HEAD, priorityCells, REPORTED_VIA_HEAD, reportedViaRows } from './report-mail.js';
import type { ReportFigures } from './report-figures.js';

export interface Letterhead {
  office: string;
  address?: string | null;
  /** The logo image (PNG or JPEG), already read. */
  logo?: Buffer | null;
}

export interface Signature {
  title: string;
  name: string;
  nip?: string | null;
  /** Written before the date above "Mengetahui" (e.g. Kayuagung). */
  place?: string | null;
}

export interface PdfOptions {
  letterhead: Letterhead | null;
  signature: Signature | null;
  printedAt: Date;
  timezone: string;
  /** Compressed streams (the default); tests read the text of an uncompressed file. */
  compress?: boolean;
}

const MARGIN = 50;
const FOOTER = 30;

/** "3 Desember 2026 pukul 09.41 WIB": a time in the office time zone, as Indonesians write it. */
export function printDate(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('id-ID', { timeZone: timezone, timeZoneName: 'short', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(
    at,
  );
}

function officeDate(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('id-ID', { timeZone: timezone, day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

export function renderReportPdf(figures: ReportFigures, options: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER },
    bufferPages: true,
    compress: options.compress ?? true,
    info: { Title: `Laporan Bulanan ${figures.monthLabel}`, Author: options.letterhead?.office ?? 'Sigap', Creator: 'Sigap' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  letterhead(doc, options.letterhead);
  doc.font('Helvetica-Bold').fontSize(14).text('LAPORAN BULANAN KINERJA LAYANAN', { align: 'center' });
  doc.font('Helvetica').fontSize(12).text(`Bulan ${figures.monthLabel}`, { align: 'center' });
  doc.moveDown();
  doc.fontSize(10).text(`Jumlah insiden: ${figures.totals.incidents}    Pelanggaran SLA: ${figures.totals.breaches}    Dibatalkan: ${figures.totals.canceled}`);
  doc.moveDown();
  heading(doc, 'Ketersediaan layanan');
  table(
    doc,
    AVAILABILITY_HEAD,
    figures.availability.map((a) => [a.service, a.availability, a.downtime]),
    [3, 1.3, 1.3],
  );
  heading(doc, 'Insiden per prioritas');
  table(doc, PRIORITY_HEAD, figures.priorities.map(priorityCells), [0.8, 0.7, 0.9, 1.1, 1.1, 1.1, 1, 1.1, 1.4]);
  doc.fontSize(8).font('Helvetica').text('MTTA: rata-rata waktu sampai insiden ditanggapi. MTTR: rata-rata waktu sampai layanan pulih dan sampai insiden diselesaikan.', MARGIN);
  doc.moveDown();
  heading(doc, 'Laporan masyarakat menurut saluran');
  if (figures.reportedVia.length > 0) table(doc, REPORTED_VIA_HEAD, reportedViaRows(figures), [3, 1]);
  else doc.fontSize(9).font('Helvetica').text(NO_REPORTS, MARGIN);
  signature(doc, options);
  footers(doc, options);
  doc.end();
  return done;
}

function letterhead(doc: PDFKit.PDFDocument, head: Letterhead | null): void {
  if (!head) return;
  const top = doc.y;
  let textX = MARGIN;
  if (head.logo && drawLogo(doc, head.logo, top)) textX = MARGIN + 70;
  const width = doc.page.width - MARGIN - textX;
  doc.font('Helvetica-Bold').fontSize(15).text(head.office, textX, top, { width, align: 'center' });
  if (head.address) doc.font('Helvetica').fontSize(9).text(head.address, textX, doc.y, { width, align: 'center' });
  const bottom = Math.max(doc.y, textX > MARGIN ? top + 60 : doc.y) + 6;
  doc
    .moveTo(MARGIN, bottom)
    .lineTo(doc.page.width - MARGIN, bottom)
    .lineWidth(2)
    .stroke();
  doc.x = MARGIN;
  doc.y = bottom + 14;
}

/** A logo pdfkit cannot read (not PNG or JPEG) is left out rather than failing the report. */
function drawLogo(doc: PDFKit.PDFDocument, logo: Buffer, top: number): boolean {
  try {
    doc.image(logo, MARGIN, top, { fit: [60, 60] });
    return true;
  } catch {
    return false;
  }
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Helvetica-Bold').fontSize(11).text(text, MARGIN);
  doc.moveDown(0.3);
}

function table(doc: PDFKit.PDFDocument, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, weights: readonly number[]): void {
  const full = doc.page.width - 2 * MARGIN;
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / total) * full);
  const pad = 3;
  const row = (cells: ReadonlyArray<string | number>, bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    const height = Math.max(...cells.map((c, i) => doc.heightOfString(String(c), { width: widths[i]! - 2 * pad }))) + 2 * pad;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.rect(x, y, widths[i]!, height).lineWidth(0.5).stroke();
      doc.text(String(c), x + pad, y + pad, { width: widths[i]! - 2 * pad });
      x += widths[i]!;
    });
    doc.x = MARGIN;
    doc.y = y + height;
  };
  row(head, true);
  for (const r of rows) row(r, false);
  doc.moveDown();
}

function signature(doc: PDFKit.PDFDocument, options: PdfOptions): void {
  const sig = options.signature;
  const width = 220;
  const x = doc.page.width - MARGIN - width;
  if (doc.y + 130 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(2);
  doc.font('Helvetica').fontSize(10);
  const y = doc.y;
  const date = officeDate(options.printedAt, options.timezone);
  doc.text(sig?.place ? `${sig.place}, ${date}` : date, x, y, { width, align: 'center' });
  doc.text('Mengetahui,', x, doc.y, { width, align: 'center' });
  doc.text(sig?.title ?? '....................................', x, doc.y, { width, align: 'center' });
  doc.moveDown(4);
  doc.font('Helvetica-Bold').text(sig?.name ?? '(....................................)', x, doc.y, { width, align: 'center', underline: Boolean(sig) });
  doc.font('Helvetica').text(`NIP. ${sig?.nip ?? '....................'}`, x, doc.y, { width, align: 'center' });
}

function footers(doc: PDFKit.PDFDocument, options: PdfOptions): void {
  const { start, count } = doc.bufferedPageRange();
  const printed = `Dicetak: ${printDate(options.printedAt, options.timezone)}`;
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin pdfkit would open a new page for the text: lift the margin first.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - 10;
    const width = doc.page.width - 2 * MARGIN;
    doc.font('Helvetica').fontSize(8);
    doc.text(printed, MARGIN, y, { width, align: 'left', lineBreak: false });
    doc.text(`Halaman ${i - start + 1} dari ${count}`, MARGIN, y, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}
