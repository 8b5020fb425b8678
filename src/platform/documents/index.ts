/**
 * The platform's document renderer: PDF documents set in the Song face of a registry package
 * (fonts.ts), on A4 (pdf.ts), with QR codes (qr.ts), seals (seal.ts), official dates and the
 * numbering of a document's levels (text.ts), rich-text bodies read as blocks (rich-text.ts) and
 * the GB/T 9704-2012 layout of an official document (official.ts). Decision 0012.
 */
export { documentFonts, type DocumentFont, type FaceName } from './fonts.ts';
export { A4, BLACK, RED, mm, openPdf, type OpenedPdf, type PdfInfo } from './pdf.ts';
export { drawQr } from './qr.ts';
export { drawCircularSeal, drawSealImage, sealArc, starPoints } from './seal.ts';
export { chineseDate, chineseNumber, levelNumber, writtenDate } from './text.ts';
export { blockText, decodeEntities, richTextBlocks, type Block, type Run } from './rich-text.ts';
export { GEOMETRY, renderOfficialDocument, type OfficialLayout } from './official.ts';
