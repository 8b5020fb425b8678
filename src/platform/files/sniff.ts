import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';

/**
 * The types a government attachment may have. The type is decided from the content alone;
 * the name the client sent and its Content-Type header are never trusted.
 */
export const ALLOWED_TYPES = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  ofd: { mime: 'application/ofd', extensions: ['ofd'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg', 'jpe'] },
  png: { mime: 'image/png', extensions: ['png'] },
  gif: { mime: 'image/gif', extensions: ['gif'] },
  tiff: { mime: 'image/tiff', extensions: ['tif', 'tiff'] },
  // Kingsoft WPS writes .wps and .et in the same compound-file layout as .doc and .xls.
  doc: { mime: 'application/msword', extensions: ['doc', 'wps', 'dot', 'wpt'] },
  xls: { mime: 'application/vnd.ms-excel', extensions: ['xls', 'et', 'xlt', 'ett'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx', 'wps', 'dotx'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx', 'et', 'xltx'] },
  zip: { mime: 'application/zip', extensions: ['zip'] },
  // Archives are inspected (entries, sizes, nesting) before they are accepted: see archives.ts.
  '7z': { mime: 'application/x-7z-compressed', extensions: ['7z'] },
  rar: { mime: 'application/vnd.rar', extensions: ['rar'] },
  text: { mime: 'text/plain', extensions: ['txt', 'csv', 'text'] },
} as const;

export type AllowedType = keyof typeof ALLOWED_TYPES;

export type SniffResult =
  | { allowed: true; type: AllowedType; mime: string }
  /** `detected` names what the content is when known (for the error message and the log). */
  | { allowed: false; detected: string | null };

const allow = (type: AllowedType): SniffResult => ({ allowed: true, type, mime: ALLOWED_TYPES[type].mime });
const refuse = (detected: string | null): SniffResult => ({ allowed: false, detected });

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);
const ZIP_MAGIC = [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06], [0x50, 0x4b, 0x07, 0x08]];
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** What file-type recognises that we accept, by its `ext`. */
const FILE_TYPE_MAP: Record<string, AllowedType> = { pdf: 'pdf', ai: 'pdf', jpg: 'jpeg', png: 'png', apng: 'png', gif: 'gif', tif: 'tiff', '7z': '7z', rar: 'rar' };

/**
 * Decides the type of staged content: its first bytes (file-type), then for the container
 * formats the entry names inside (zip central directory, compound-file directory), and for
 * everything unrecognised whether it is plain text.
 */
export async function sniffContent(file: { path: string; head: Buffer; size: number }): Promise<SniffResult> {
  const { head } = file;
  if (head.length === 0) return refuse(null);
  if (ZIP_MAGIC.some((magic) => startsWith(head, magic))) return classifyZip(await zipEntryNames(file));
  if (startsWith(head, CFB_MAGIC)) return classifyCompound(await compoundEntryNames(file.path));
  const found = await fileTypeFromBuffer(head);
  if (found) {
    const type = FILE_TYPE_MAP[found.ext];
    return type ? allow(type) : refuse(found.mime);
  }
  return checkText(file);
}

// ------------------------------------------------------------------ zip containers

export function classifyZip(names: string[]): SniffResult {
  const has = (name: string) => names.includes(name);
  const anyUnder = (prefix: string) => names.some((n) => n.startsWith(prefix));
  if (has('OFD.xml')) return allow('ofd');
  if (has('META-INF/MANIFEST.MF') || names.some((n) => n.endsWith('.class'))) return refuse('application/java-archive');
  if (has('AndroidManifest.xml') || has('classes.dex')) return refuse('application/vnd.android.package-archive');
  if (has('[Content_Types].xml')) {
    // Office documents carrying macros are refused like any other executable content.
    if (anyUnder('word/')) return has('word/vbaProject.bin') ? refuse('application/vnd.ms-word.document.macroEnabled.12') : allow('docx');
    if (anyUnder('xl/')) return has('xl/vbaProject.bin') ? refuse('application/vnd.ms-excel.sheet.macroEnabled.12') : allow('xlsx');
    if (anyUnder('ppt/')) return refuse('application/vnd.openxmlformats-officedocument.presentationml.presentation');
    return refuse('application/vnd.openxmlformats-package');
  }
  return allow('zip');
}

const EOCD = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024;
const MAX_ENTRIES = 20_000;

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await fsp.open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Entry names from the central directory at the end; from the local headers in the head as a fallback. */
export async function zipEntryNames(file: { path: string; head: Buffer; size: number }): Promise<string[]> {
  const tailLength = Math.min(file.size, 65_535 + 22);
  const tail = await readAt(file.path, file.size - tailLength, tailLength);
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) !== EOCD) continue;
    const entries = tail.readUInt16LE(i + 10);
    const cdSize = tail.readUInt32LE(i + 12);
    const cdOffset = tail.readUInt32LE(i + 16);
    if (cdOffset === 0xffffffff || cdSize === 0xffffffff || cdOffset + cdSize > file.size) break; // zip64 or damaged
    const cd = await readAt(file.path, cdOffset, Math.min(cdSize, MAX_CENTRAL_DIRECTORY));
    const names: string[] = [];
    let at = 0;
    while (at + 46 <= cd.length && names.length < Math.min(entries || MAX_ENTRIES, MAX_ENTRIES) && cd.readUInt32LE(at) === CENTRAL_ENTRY) {
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      names.push(cd.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
      at += 46 + nameLength + extraLength + commentLength;
    }
    if (names.length) return names;
    break;
  }
  return localEntryNames(file.head);
}

function localEntryNames(head: Buffer): string[] {
  const names: string[] = [];
  let at = 0;
  while (at + 30 <= head.length && head.readUInt32LE(at) === LOCAL_ENTRY) {
    const flags = head.readUInt16LE(at + 6);
    const compressedSize = head.readUInt32LE(at + 18);
    const nameLength = head.readUInt16LE(at + 26);
    const extraLength = head.readUInt16LE(at + 28);
    names.push(head.subarray(at + 30, at + 30 + nameLength).toString('utf8'));
    // With a data descriptor the size is only known after the data: stop there.
    if (flags & 0x08) break;
    at += 30 + nameLength + extraLength + compressedSize;
  }
  return names;
}

// ------------------------------------------------------------------ compound files (doc, xls)

export function classifyCompound(names: string[]): SniffResult {
  const has = (name: string) => names.includes(name);
  if (has('WordDocument')) return has('Macros') ? refuse('application/msword (macros)') : allow('doc');
  if (has('Workbook') || has('Book')) return has('_VBA_PROJECT_CUR') ? refuse('application/vnd.ms-excel (macros)') : allow('xls');
  if (has('PowerPoint Document')) return refuse('application/vnd.ms-powerpoint');
  return refuse('application/x-cfb');
}

const END_OF_CHAIN = 0xfffffffe;
const MAX_DIRECTORY_SECTORS = 256;

/** Names in the directory of a compound file (MS-CFB), following the FAT chain from the header. */
export async function compoundEntryNames(path: string): Promise<string[]> {
  const handle = await fsp.open(path, 'r');
  try {
    const header = Buffer.alloc(512);
    if ((await handle.read(header, 0, 512, 0)).bytesRead < 512) return [];
    const sectorShift = header.readUInt16LE(0x1e);
    if (sectorShift !== 9 && sectorShift !== 12) return [];
    const sectorSize = 1 << sectorShift;
    const difat: number[] = [];
    for (let i = 0; i < 109; i += 1) difat.push(header.readUInt32LE(0x4c + i * 4));
    const readSector = async (sector: number) => {
      const buffer = Buffer.alloc(sectorSize);
      const { bytesRead } = await handle.read(buffer, 0, sectorSize, (sector + 1) * sectorSize);
      return buffer.subarray(0, bytesRead);
    };
    const fatCache = new Map<number, Buffer>();
    const nextSector = async (sector: number): Promise<number> => {
      const perSector = sectorSize / 4;
      const fatIndex = Math.floor(sector / perSector);
      const fatSector = difat[fatIndex];
      // Only the FAT sectors listed in the header are followed: enough for files up to ~7 MB
      // of directory reach; a longer chain simply stops, which can only refuse, never admit.
      if (fatSector === undefined || fatSector >= 0xfffffffa) return END_OF_CHAIN;
      let fat = fatCache.get(fatSector);
      if (!fat) {
        fat = await readSector(fatSector);
        fatCache.set(fatSector, fat);
      }
      const offset = (sector % perSector) * 4;
      return offset + 4 <= fat.length ? fat.readUInt32LE(offset) : END_OF_CHAIN;
    };
    const names: string[] = [];
    const seen = new Set<number>();
    let sector = header.readUInt32LE(0x30);
    while (sector < 0xfffffffa && !seen.has(sector) && seen.size < MAX_DIRECTORY_SECTORS) {
      seen.add(sector);
      const data = await readSector(sector);
      for (let at = 0; at + 128 <= data.length; at += 128) {
        const nameBytes = data.readUInt16LE(at + 0x40);
        const objectType = data[at + 0x42];
        if (objectType === 0 || nameBytes < 2 || nameBytes > 64) continue;
        names.push(data.subarray(at, at + nameBytes - 2).toString('utf16le'));
      }
      sector = await nextSector(sector);
    }
    return names;
  } finally {
    await handle.close();
  }
}

// ------------------------------------------------------------------ plain text

/** Control characters other than tab, line feed, form feed and carriage return, and C1 controls. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/;
/** Starts a browser would take for markup (WHATWG MIME sniffing), plus SVG and XML. */
const MARKUP_START = /^<(!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|svg|math|object|embed|meta|link|form|img|\?xml|!--)[\s/>]/i;
const MARKUP_ANYWHERE = /<\s*(script|iframe|object|embed|svg|html|body)[\s/>]/i;

/**
 * Plain text: valid UTF-8 (with or without BOM) or GB18030, without binary control characters,
 * and not markup or a script in disguise. The whole content is checked, not just its start.
 */
export async function checkText(file: { path: string; head: Buffer }): Promise<SniffResult> {
  const decoders = [new TextDecoder('utf-8', { fatal: true }), new TextDecoder('gb18030', { fatal: true })];
  let alive = decoders.map(() => true);
  let start = '';
  const feed = (chunk: Uint8Array | undefined) => {
    alive = alive.map((ok, i) => {
      if (!ok) return false;
      try {
        const text = chunk ? decoders[i].decode(chunk, { stream: true }) : decoders[i].decode();
        if (FORBIDDEN_CONTROLS.test(text)) return false;
        if (i === alive.indexOf(true) && start.length < 4096) start += text.slice(0, 4096 - start.length);
        return true;
      } catch {
        return false;
      }
    });
  };
  for await (const chunk of fs.createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
    feed(chunk as Buffer);
    if (!alive.includes(true)) return refuse(null);
  }
  feed(undefined);
  if (!alive.includes(true)) return refuse(null);
  const trimmed = start.replace(/^\uFEFF/, '').trimStart();
  if (MARKUP_START.test(trimmed) || MARKUP_ANYWHERE.test(start)) return refuse('text/html');
  if (trimmed.startsWith('#!')) return refuse('text/x-script');
  return allow('text');
}
