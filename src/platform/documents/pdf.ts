/**
 * A PDF document on A4 with the document faces registered ('regular', 'bold'), and its bytes once
 * it is ended. Deterministic: the creation date is the caller's (what the document records, not
 * the time of generation) and pdfkit derives the file identifier and the font subset tags from
 * the document's content, so the same input gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { documentFonts } from './fonts.ts';

export const RED = '#c8161d';
export const BLACK = '#000000';
/** A4 in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
/** Millimetres to points. */
export const mm = (value: number) => (value * 72) / 25.4;

export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  /** Recorded as the creation date: fixed by the caller so that the bytes do not depend on when it is made. */
  createdAt: Date;
}

export interface OpenedPdf {
  doc: PDFKit.PDFDocument;
  /** Ends the document and resolves with its bytes. */
  finish(): Promise<Buffer>;
}

/** Opens an A4 document with the given margins (points), set in the Song face from the start. */
export function openPdf(info: PdfInfo, margins: { top: number; bottom: number; left: number; right: number }, options: { bufferPages?: boolean } = {}): OpenedPdf {
  const { regular, bold } = documentFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins,
    lang: 'zh-CN',
    displayTitle: true,
    bufferPages: options.bufferPages ?? false,
    // The Song face from the start: the default (Helvetica) would parse its metrics file for every document.
    font: regular as never,
    info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: 'Zhengtong', Producer: 'Zhengtong', CreationDate: info.createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', regular as never);
  doc.registerFont('bold', bold as never);
  return {
    doc,
    finish() {
      doc.end();
      return finished;
    },
  };
}
