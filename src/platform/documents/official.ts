/**
 * An official document (公文) laid out as GB/T 9704-2012 prescribes, as PDF: A4, a text block of
 * 156 mm × 225 mm (margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right), 22 lines of 28
 * characters in the body size (3号). The header (版头): copy number, secrecy and its period,
 * urgency at the top left; the issuing authority's mark in red, centred; the document number
 * centred under it (or on the left with the signer on the right for upward documents); the red
 * separator line. The main part (主体): title, main recipients, body, attachment list, the
 * signature with the written date and the seal over them, notes. The record (版记) at the foot of
 * the last page: cc units, printing unit and date between thick and thin rules. Page numbers
 * "— 1 —" under the text block, odd pages on the right, even pages on the left.
 *
 * Faces: only Noto Serif SC (Regular and Bold) is available (decision 0012): Bold stands for the
 * 小标宋 of the mark and title and the 黑体 of the top-left elements and first-level headings,
 * Regular for the 仿宋 and 楷体 of the body.
 */
import { A4, BLACK, RED, mm, openPdf } from './pdf.ts';
import { drawCircularSeal, drawSealImage } from './seal.ts';
import { richTextBlocks } from './rich-text.ts';
import { writtenDate } from './text.ts';

export interface OfficialLayout {
  /** 份号: six digits. */
  copyNo?: string | null;
  /** 密级和保密期限 as printed: '机密★1年'. */
  secrecy?: string | null;
  /** 紧急程度: '特急' or '加急'. */
  urgency?: string | null;
  /** 发文机关标志: '某市人民政府文件' or the authority's name. */
  authorityMark: string;
  /** 发文字号: '某府发〔2026〕12号'. */
  docNumber: string;
  /** An upward document (报告, 请示): the mark 80 mm down, the number on the left and 签发人 on the right. */
  upward?: boolean;
  /** 签发人 of an upward document. */
  signer?: string | null;
  title: string;
  /** 主送机关, in order. */
  mainRecipients: string[];
  /** The body as sanitised rich text (see rich-text.ts). */
  body: string;
  /** 附件说明: the attachments' names. */
  attachments?: string[];
  /** 发文机关署名. */
  signature: string;
  /** 成文日期, 'YYYY-MM-DD'. */
  writtenDate: string;
  /** 印章: the unit's seal image, a seal drawn with the unit's name, or none (a document not yet issued). */
  seal: { image: Buffer } | { name: string } | null;
  /** 附注, printed in parentheses. */
  notes?: string | null;
  /** 抄送机关. */
  cc?: string[];
  /** 印发机关. */
  printingUnit?: string | null;
  /** 印发日期, 'YYYY-MM-DD'. */
  printedDate?: string | null;
  meta: { subject: string; createdAt: Date };
}

/** The text block and the sizes of the standard, in points. */
export const GEOMETRY = (() => {
  const left = mm(28);
  const top = mm(37);
  const width = mm(156);
  const height = mm(225);
  return {
    left,
    top,
    width,
    height,
    bottom: top + height,
    margins: { top, bottom: A4.height - top - height, left, right: A4.width - left - width },
    /** 3号: 28 characters fill a line (a hair under, so that a full line is not wrapped by rounding). */
    body: width / 28 - 0.01,
    /** 22 lines fill the text block. */
    line: height / 22,
    /** 2号. */
    title: 22,
    /** 4号. */
    small: 14,
    seal: mm(42),
  };
})();

const G = GEOMETRY;

/** The document as PDF bytes; the same layout gives the same bytes. */
export async function renderOfficialDocument(layout: OfficialLayout): Promise<Buffer> {
  const { doc, finish } = openPdf({ title: `${layout.title} ${layout.docNumber}`, author: layout.signature, subject: layout.meta.subject, createdAt: layout.meta.createdAt }, G.margins, {
    bufferPages: true,
  });
  doc.font('regular').fontSize(G.body);
  const lineGap = Math.max(0, G.line - doc.currentLineHeight(true));
  const body = { width: G.width, lineGap };

  // 版头: the elements at the top left, one per line.
  const topLeft = [layout.copyNo, layout.secrecy, layout.urgency].filter((v): v is string => !!v);
  topLeft.forEach((text, i) => doc.font('bold').fontSize(G.body).fillColor(BLACK).text(text, G.left, G.top + i * G.line, { lineBreak: false }));

  // The issuing authority's mark, red and centred, 35 mm under the top of the text block (80 mm for upward documents).
  const upward = !!layout.upward;
  doc.font('bold').fontSize(1);
  const markSize = Math.min(42, (G.width * 0.96) / Math.max(doc.widthOfString(layout.authorityMark), 0.01));
  doc.font('bold').fontSize(markSize).fillColor(RED).text(layout.authorityMark, G.left, G.top + mm(upward ? 80 : 35), { width: G.width, align: 'center' });

  // The number two lines under the mark; the red line 4 mm under the number.
  const numberTop = doc.y + G.line;
  doc.font('regular').fontSize(G.body).fillColor(BLACK);
  if (upward) {
    doc.text(layout.docNumber, G.left + G.body, numberTop, { lineBreak: false });
    const signer = `签发人：${layout.signer ?? ''}`;
    doc.text(signer, G.left + G.width - G.body - doc.widthOfString(signer), numberTop, { lineBreak: false });
  } else doc.text(layout.docNumber, G.left, numberTop, { width: G.width, align: 'center' });
  const rule = numberTop + doc.currentLineHeight(true) + mm(4);
  doc.moveTo(G.left, rule).lineTo(G.left + G.width, rule).lineWidth(1).stroke(RED);

  // 主体: the title two lines under the line, centred, wrapping as needed.
  doc.font('bold').fontSize(G.title).fillColor(BLACK).text(layout.title, G.left, rule + 2 * G.line - G.line / 2, { width: G.width, align: 'center', lineGap: Math.max(0, G.line - doc.currentLineHeight(true)) });
  doc.y += G.line / 2;

  doc.font('regular').fontSize(G.body);
  if (layout.mainRecipients.length) doc.text(`${layout.mainRecipients.join('、')}：`, G.left, doc.y, body);

  for (const block of richTextBlocks(layout.body)) {
    const runs = block.marker ? [{ text: block.marker, strong: false }, ...block.runs] : block.runs;
    runs.forEach((run, i) => {
      doc.font(run.strong || (block.kind === 'heading' && block.level === 1) ? 'bold' : 'regular').fontSize(G.body);
      const options = { ...body, indent: 2 * G.body, continued: i < runs.length - 1 };
      if (i === 0) doc.text(run.text, G.left, doc.y, options);
      else doc.text(run.text, options);
    });
  }

  // 附件说明 one line under the body, two characters in.
  const attachments = layout.attachments ?? [];
  if (attachments.length) {
    doc.y += G.line;
    doc.font('regular').fontSize(G.body);
    const label = '附件：';
    const at = G.left + 2 * G.body;
    const textX = at + doc.widthOfString(label);
    const top = doc.y;
    doc.text(label, at, top, { lineBreak: false });
    doc.y = top;
    attachments.forEach((name, i) => doc.text(attachments.length > 1 ? `${i + 1}.${name}` : name, textX, doc.y, { width: G.left + G.width - textX, lineGap }));
  }

  drawSignature(doc, layout, lineGap);
  drawRecord(doc, layout);
  drawPageNumbers(doc);
  return finish();
}

/** Signature and date four characters from the right, the seal centred over them, notes under the date. */
function drawSignature(doc: PDFKit.PDFDocument, layout: OfficialLayout, lineGap: number) {
  const r = G.seal / 2;
  const notes = layout.notes ? `（${layout.notes}）` : '';
  // The seal's top within a line of the text above it; the seal, and the notes under the date, on one page.
  const gap = G.line * 0.6;
  if (doc.y + gap + G.seal + (notes ? G.line : 0) > G.bottom) doc.addPage();
  const sealTop = doc.y + gap;
  const cy = sealTop + r;
  doc.font('regular').fontSize(G.body).fillColor(BLACK);
  const lineHeight = doc.currentLineHeight(true);
  const date = writtenDate(layout.writtenDate);
  const dateWidth = doc.widthOfString(date);
  const dateX = G.left + G.width - 4 * G.body - dateWidth;
  const centre = dateX + dateWidth / 2;
  const signatureWidth = Math.min(doc.widthOfString(layout.signature), G.width);
  const signatureX = Math.min(Math.max(G.left, centre - signatureWidth / 2), G.left + G.width - signatureWidth);
  // The signature and the date a little under the seal's centre.
  const pairMiddle = cy + r * 0.18;
  doc.text(layout.signature, signatureX, pairMiddle - lineHeight, { width: signatureWidth + 1, lineBreak: false });
  doc.text(date, dateX, pairMiddle, { lineBreak: false });
  if (layout.seal && 'image' in layout.seal) drawSealImage(doc, layout.seal.image, centre - r, sealTop, G.seal);
  else if (layout.seal) drawCircularSeal(doc, layout.seal.name, centre, cy, G.seal);
  let y = Math.max(pairMiddle + lineHeight, cy + r);
  if (notes) {
    doc.font('regular').fontSize(G.body).fillColor(BLACK).text(notes, G.left, pairMiddle + G.line, { width: G.width, indent: 2 * G.body, lineGap });
    y = Math.max(y, doc.y);
  }
  doc.x = G.left;
  doc.y = y;
}

/** 版记 at the foot of the last page: cc between a thick rule and a thin one, printing unit and date over a thick rule. */
function drawRecord(doc: PDFKit.PDFDocument, layout: OfficialLayout) {
  const cc = layout.cc ?? [];
  const printing = !!(layout.printingUnit || layout.printedDate);
  if (!cc.length && !printing) return;
  const thick = mm(0.35);
  const thin = mm(0.25);
  doc.font('regular').fontSize(G.small).fillColor(BLACK);
  const lineHeight = doc.currentLineHeight(true);
  const pad = (G.line - lineHeight) / 2;
  const label = '抄送：';
  const labelWidth = doc.widthOfString(label);
  const ccX = G.left + G.small + labelWidth;
  const ccWidth = G.width - 2 * G.small - labelWidth;
  const ccText = cc.length ? `${cc.join('，')}。` : '';
  const ccHeight = cc.length ? doc.heightOfString(ccText, { width: ccWidth }) + 2 * pad : 0;
  const printingHeight = printing ? G.line : 0;
  const total = ccHeight + printingHeight;
  if (doc.y + G.line / 2 + total > G.bottom) doc.addPage();
  const top = G.bottom - total;
  const rule = (y: number, width: number) => doc.moveTo(G.left, y).lineTo(G.left + G.width, y).lineWidth(width).stroke(BLACK);
  rule(top, thick);
  if (cc.length) {
    doc.text(label, G.left + G.small, top + pad, { lineBreak: false });
    doc.text(ccText, ccX, top + pad, { width: ccWidth });
    if (printing) rule(top + ccHeight, thin);
  }
  if (printing) {
    const y = top + ccHeight + pad;
    if (layout.printingUnit) doc.text(layout.printingUnit, G.left + G.small, y, { lineBreak: false });
    if (layout.printedDate) {
      const printed = `${writtenDate(layout.printedDate)}印发`;
      doc.text(printed, G.left + G.width - G.small - doc.widthOfString(printed), y, { lineBreak: false });
    }
  }
  rule(G.bottom, thick);
}

/** "— n —" 7 mm under the text block: odd pages one character from the right, even pages one from the left. */
function drawPageNumbers(doc: PDFKit.PDFDocument) {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const bottomMargin = doc.page.margins.bottom;
    // Writing under the text block must not start a new page.
    doc.page.margins.bottom = 0;
    doc.font('regular').fontSize(G.small).fillColor(BLACK);
    const text = `— ${i + 1} —`;
    const width = doc.widthOfString(text);
    const x = (i + 1) % 2 === 1 ? G.left + G.width - G.small - width : G.left + G.small;
    doc.text(text, x, G.bottom + mm(7) - doc.currentLineHeight(true) / 2, { lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}
