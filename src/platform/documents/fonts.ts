/**
 * The faces documents are set in: Noto Serif SC (a Song face, OFL-1.1) from the npm package
 * @expo-google-fonts/noto-serif-sc, Regular and Bold, read from node_modules and parsed by fontkit
 * once per process; pdfkit then only subsets the glyphs a document uses (decision 0012). No
 * system font is read.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
} as const;

export type DocumentFont = ReturnType<typeof fontkit.create>;
/** The names the faces are registered under in every document. */
export type FaceName = keyof typeof FONT_FILES;

let fonts: Record<FaceName, DocumentFont> | null = null;

/** The two faces, read and parsed on first use and kept: a document then only subsets them. */
export function documentFonts(): Record<FaceName, DocumentFont> {
  if (!fonts) {
    const load = (file: string) => fontkit.create(fs.readFileSync(require.resolve(file)));
    fonts = { regular: load(FONT_FILES.regular), bold: load(FONT_FILES.bold) };
  }
  return fonts;
}
