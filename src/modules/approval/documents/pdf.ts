/**
 * Official documents (公文) as PDF: the issuing authority's name in red over a red rule, the
 * document number, the title, the addressee, the body, the issuer and the date in Chinese form
 * with the unit's seal image over them when one is uploaded, and a QR code to the public page
 * that checks the document. The font is Noto Serif SC (a Song face) from its npm package,
 * parsed once per process and subset into each document by pdfkit (see decision 0012). The
 * generic parts (fonts, page, QR code, seal image) are the platform's document renderer
 * (src/platform/documents); this file is the approval documents' own layout.
 */
import { A4, BLACK, RED, openPdf } from '../../../platform/documents/pdf.ts';
import { drawQr } from '../../../platform/documents/qr.ts';
import { drawSealImage } from '../../../platform/documents/seal.ts';

export { chineseDate } from '../../../platform/documents/text.ts';

export interface OfficialDocument {
  /** The issuing authority (the unit's name): the red header and the signature. */
  issuer: string;
  documentNo: string;
  title: string;
  /** The addressee, "张三：". */
  to?: string;
  paragraphs: string[];
  /** Labelled fields, for the certificate. */
  fields?: Array<[string, string]>;
  table?: { caption: string; headers: string[]; rows: string[][] };
  /** Paragraphs after the table or fields. */
  closing?: string[];
  /** 二〇二六年十二月七日 */
  date: string;
  /** The unit's seal as PNG; without one the seal area holds the issuer's name only. */
  seal: Buffer | null;
  qr: { url: string; caption: string };
  /** Small print at the foot: the digest and the signature of a certificate. */
  footnotes?: string[];
  meta: { subject: string; createdAt: Date };
}

const PAGE = A4;
const MARGIN = { x: 72, top: 64, bottom: 60 };
const BODY = 12.5;

function drawTable(doc: PDFKit.PDFDocument, table: NonNullable<OfficialDocument['table']>) {
  const width = PAGE.width - 2 * MARGIN.x;
  const columns = [0.12, 0.38, 0.5].map((f) => f * width);
  doc.font('bold').fontSize(BODY).text(table.caption, MARGIN.x, doc.y, { width, align: 'center' });
  doc.moveDown(0.3);
  const row = (cells: string[], font: 'regular' | 'bold') => {
    doc.font(font).fontSize(BODY - 1);
    const heights = cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i] - 8 }));
    const height = Math.max(...heights) + 8;
    if (doc.y + height > PAGE.height - MARGIN.bottom - 40) doc.addPage();
    const top = doc.y;
    let x = MARGIN.x;
    cells.forEach((cell, i) => {
      doc.rect(x, top, columns[i], height).lineWidth(0.6).stroke(BLACK);
      doc.text(cell, x + 4, top + 4, { width: columns[i] - 8 });
      x += columns[i];
    });
    doc.x = MARGIN.x;
    doc.y = top + height;
  };
  row(table.headers, 'bold');
  for (const cells of table.rows) row(cells, 'regular');
  doc.moveDown(0.6);
}

function drawFields(doc: PDFKit.PDFDocument, fields: Array<[string, string]>) {
  const width = PAGE.width - 2 * MARGIN.x;
  const label = 110;
  for (const [name, value] of fields) {
    const top = doc.y;
    doc.font('bold').fontSize(BODY).text(name, MARGIN.x + 12, top, { width: label });
    doc.font('regular').fontSize(BODY).text(value, MARGIN.x + 12 + label, top, { width: width - label - 12 });
    doc.x = MARGIN.x;
    doc.y = Math.max(doc.y, top) + 6;
  }
  doc.moveDown(0.4);
}

/** Lays out one document on A4 and returns the PDF's bytes. */
export async function renderOfficialDocument(input: OfficialDocument): Promise<Buffer> {
  const { doc, finish } = openPdf(
    { title: `${input.title} ${input.documentNo}`, author: input.issuer, subject: input.meta.subject, createdAt: input.meta.createdAt },
    { top: MARGIN.top, bottom: MARGIN.bottom, left: MARGIN.x, right: MARGIN.x },
  );
  const width = PAGE.width - 2 * MARGIN.x;

  // The red header (版头): the issuer, the number, a red rule.
  doc.font('bold').fontSize(24).fillColor(RED).text(input.issuer, MARGIN.x, MARGIN.top, { width, align: 'center', characterSpacing: 2 });
  doc.moveDown(0.5);
  doc.font('regular').fontSize(BODY).fillColor(BLACK).text(input.documentNo, { width, align: 'center' });
  const rule = doc.y + 6;
  doc.moveTo(MARGIN.x, rule).lineTo(PAGE.width - MARGIN.x, rule).lineWidth(1.5).stroke(RED);
  doc.y = rule + 22;

  doc.font('bold').fontSize(22).fillColor(BLACK).text(input.title, MARGIN.x, doc.y, { width, align: 'center', characterSpacing: 1 });
  doc.moveDown(0.8);
  if (input.to) doc.font('regular').fontSize(BODY).text(input.to, MARGIN.x, doc.y, { width });
  const paragraph = (text: string) => doc.font('regular').fontSize(BODY).text(text, MARGIN.x, doc.y, { width, indent: 2 * BODY, lineGap: 5, paragraphGap: 6, align: 'justify' });
  input.paragraphs.forEach(paragraph);
  if (input.fields) drawFields(doc, input.fields);
  if (input.table) drawTable(doc, input.table);
  (input.closing ?? []).forEach(paragraph);

  // Signature block (落款) on the right: issuer and date, the seal over them.
  const blockHeight = 130;
  // The signature block, and the small print under it, stay together on one page.
  const footnoteHeight = input.footnotes?.length ? 70 : 0;
  if (doc.y + 24 + blockHeight + footnoteHeight > PAGE.height - MARGIN.bottom) doc.addPage();
  const signTop = doc.y + 24;
  const signWidth = 220;
  const signX = PAGE.width - MARGIN.x - signWidth;
  doc.font('regular').fontSize(BODY + 1).fillColor(BLACK).text(input.issuer, signX, signTop + 34, { width: signWidth, align: 'center' });
  doc.text(input.date, signX, doc.y + 6, { width: signWidth, align: 'center' });
  if (input.seal) {
    const sealSize = 120;
    drawSealImage(doc, input.seal, signX + (signWidth - sealSize) / 2, signTop, sealSize);
  }

  // QR code to the public page that checks it, at the foot on the left.
  const qrSize = 78;
  const qrTop = Math.max(signTop, doc.y - qrSize + 10);
  drawQr(doc, input.qr.url, MARGIN.x, qrTop, qrSize);
  doc.font('regular').fontSize(8).fillColor(BLACK).text(input.qr.caption, MARGIN.x, qrTop + qrSize + 4, { width: 150 });
  doc.y = Math.max(doc.y, signTop + blockHeight);

  if (input.footnotes?.length) {
    doc.moveDown(1);
    const top = doc.y;
    doc.moveTo(MARGIN.x, top).lineTo(PAGE.width - MARGIN.x, top).lineWidth(0.5).stroke('#888888');
    doc.y = top + 6;
    for (const note of input.footnotes) doc.font('regular').fontSize(7.5).fillColor('#333333').text(note, MARGIN.x, doc.y, { width, lineGap: 1 });
  }
  return finish();
}
