/**
 * The seal (印章) of a document: the unit's own seal image where it has one, otherwise a red
 * circle with a five-pointed star and the unit's name along its upper arc, which marks the seal
 * position of a document signed electronically by that unit (see decision 0012).
 */
import { RED } from './pdf.ts';

/** The seal image, fitted into a square `size` points wide whose top left corner is at (left, top). */
export function drawSealImage(doc: PDFKit.PDFDocument, png: Buffer, left: number, top: number, size: number) {
  doc.image(png, left, top, { fit: [size, size] });
}

/** The five points and five inner corners of a star of outer radius r around (cx, cy), point up. */
export function starPoints(cx: number, cy: number, r: number): Array<[number, number]> {
  const inner = r * 0.382;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < 10; i++) {
    const angle = (Math.PI / 5) * i;
    const radius = i % 2 === 0 ? r : inner;
    points.push([cx + radius * Math.sin(angle), cy - radius * Math.cos(angle)]);
  }
  return points;
}

/** Where each character of the name sits on the arc: angle in degrees from the top, clockwise. */
export function sealArc(name: string, diameter: number): { size: number; radius: number; angles: number[] } {
  const chars = Array.from(name);
  const r = diameter / 2;
  const ring = diameter * 0.035;
  // Characters as large as a fifth of the diameter, smaller when the name would go past 260°.
  let size = r * 0.27;
  let radius = r - ring - size * 0.7;
  const span = (n: number, s: number, rad: number) => (n * s * 1.08 * 180) / (Math.PI * rad);
  while (span(chars.length, size, radius) > 260 && size > 4) {
    size *= 0.95;
    radius = r - ring - size * 0.7;
  }
  // A name of five characters or more spreads over at least 200°, as a seal's name does.
  const least = chars.length >= 5 ? 200 / (chars.length - 1) : 0;
  const step = chars.length > 1 ? Math.min(Math.max(span(1, size, radius), least), 260 / (chars.length - 1)) : 0;
  const total = step * (chars.length - 1);
  return { size, radius, angles: chars.map((_, i) => -total / 2 + i * step) };
}

/** A red round seal `diameter` points wide centred on (cx, cy) with the unit's name along the upper arc. */
export function drawCircularSeal(doc: PDFKit.PDFDocument, name: string, cx: number, cy: number, diameter: number) {
  const r = diameter / 2;
  const ring = diameter * 0.035;
  const { x, y } = doc;
  doc.save();
  doc.circle(cx, cy, r - ring / 2).lineWidth(ring).strokeColor(RED).stroke();
  const star = starPoints(cx, cy, r * 0.3);
  doc.polygon(...star).fillColor(RED).fill();
  const arc = sealArc(name, diameter);
  const chars = Array.from(name);
  doc.font('bold').fontSize(arc.size).fillColor(RED);
  const lineHeight = doc.currentLineHeight(true);
  chars.forEach((ch, i) => {
    const angle = arc.angles[i];
    const rad = (angle * Math.PI) / 180;
    const px = cx + arc.radius * Math.sin(rad);
    const py = cy - arc.radius * Math.cos(rad);
    doc.save();
    doc.rotate(angle, { origin: [px, py] });
    const width = doc.widthOfString(ch);
    doc.text(ch, px - width / 2, py - lineHeight / 2, { lineBreak: false });
    doc.restore();
  });
  doc.restore();
  doc.x = x;
  doc.y = y;
}
