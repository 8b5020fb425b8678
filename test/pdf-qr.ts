// Reads what a PDF's QR codes say, as a phone would: pdfjs draws each page on a canvas
// (@napi-rs/canvas, which pdfjs uses under Node) and jsQR decodes the picture.
import jsQRModule from 'jsqr';

// jsQR is a CommonJS module whose types declare an ES default export: under Node the function is the module itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** The text of the first QR code found on each page of the PDF, null for a page without one. */
export async function readQrCodes(bytes: Uint8Array, scale = 3): Promise<Array<string | null>> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  const found: Array<string | null> = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale });
      const factory = (doc as unknown as { canvasFactory: { create(w: number, h: number): unknown } }).canvasFactory;
      const { canvas, context } = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height)) as {
        canvas: { width: number; height: number };
        context: CanvasRenderingContext2D;
      };
      await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context, viewport }).promise;
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      found.push(jsQR(image.data, image.width, image.height)?.data ?? null);
    }
  } finally {
    await doc.destroy();
  }
  return found;
}
