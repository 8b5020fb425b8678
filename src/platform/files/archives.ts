import fsp from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/**
 * Archives (zip, 7z, rar) are inspected without extracting anything: how many entries, how
 * large they say they unpack, the ratio of that to the archive's own size, whether an entry is
 * itself an archive or encrypted. See docs/decisions/0015-archive-inspection.md.
 */
export interface ArchiveLimits {
  /** Entries (files and folders) at most. */
  maxEntries: number;
  /** Total uncompressed size of the entries, in bytes, at most. */
  maxUncompressedBytes: number;
  /** Total uncompressed size divided by the archive's size, at most. */
  maxRatio: number;
}

/** Below this total the ratio is not held against an archive: unpacked, it harms nothing. */
export const RATIO_FLOOR_BYTES = 16 * 1024 * 1024;

export interface ArchiveSummary {
  entries: number;
  uncompressedBytes: number;
  ratio: number;
}

export type ArchiveProblem =
  | { reason: 'entries'; entries: number; limit: number }
  | { reason: 'size'; uncompressedBytes: number; limit: number }
  | { reason: 'ratio'; ratio: number; limit: number; uncompressedBytes: number }
  | { reason: 'nested'; entry: string }
  | { reason: 'encrypted'; entry: string | null }
  | { reason: 'damaged' };

export type ArchiveVerdict = ({ ok: true } & ArchiveSummary) | ({ ok: false } & ArchiveProblem);

export type ArchiveFormat = 'zip' | '7z' | 'rar';

interface Entry {
  name: string;
  size: number;
  directory: boolean;
  encrypted: boolean;
  /** The entry's first bytes, when they can be read without decompressing (zip, stored). */
  head?: Buffer;
}

/** Names of archives and compressed files: an archive inside an archive is refused. */
const NESTED_EXTENSIONS = new Set(['zip', 'zipx', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'tbz', 'tbz2', 'xz', 'txz', 'lz', 'lzma', 'zst', 'cab', 'iso', 'arj', 'lzh', 'z', 'cpio', 'wim']);
/** Split volumes ('.7z.001', '.part2.rar', '.z01', '.r00'). */
const VOLUME_NAME = /\.(\d{3}|z\d{2}|r\d{2}|part\d+\.rar)$/i;
const NESTED_MAGIC: number[][] = [
  [0x50, 0x4b, 0x03, 0x04], // zip
  [0x50, 0x4b, 0x05, 0x06], // empty zip
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], // rar 4 and 5
  [0x1f, 0x8b], // gzip
  [0x42, 0x5a, 0x68], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x4d, 0x53, 0x43, 0x46], // cab
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
];

function isNested(entry: Entry): boolean {
  if (entry.directory) return false;
  const base = entry.name.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
  const dot = base.lastIndexOf('.');
  if (dot > 0 && NESTED_EXTENSIONS.has(base.slice(dot + 1))) return true;
  if (VOLUME_NAME.test(base)) return true;
  const head = entry.head;
  return !!head && NESTED_MAGIC.some((magic) => head.length >= magic.length && magic.every((b, i) => head[i] === b));
}

/** Judges a listing against the limits: nested and encrypted entries first, then the numbers. */
export function judge(entries: Entry[], archiveSize: number, limits: ArchiveLimits): ArchiveVerdict {
  const encrypted = entries.find((e) => e.encrypted);
  if (encrypted) return { ok: false, reason: 'encrypted', entry: encrypted.name };
  const nested = entries.find(isNested);
  if (nested) return { ok: false, reason: 'nested', entry: nested.name };
  if (entries.length > limits.maxEntries) return { ok: false, reason: 'entries', entries: entries.length, limit: limits.maxEntries };
  const uncompressedBytes = entries.reduce((sum, e) => sum + e.size, 0);
  if (uncompressedBytes > limits.maxUncompressedBytes) return { ok: false, reason: 'size', uncompressedBytes, limit: limits.maxUncompressedBytes };
  const ratio = uncompressedBytes / Math.max(archiveSize, 1);
  if (uncompressedBytes > RATIO_FLOOR_BYTES && ratio > limits.maxRatio) return { ok: false, reason: 'ratio', ratio, limit: limits.maxRatio, uncompressedBytes };
  return { ok: true, entries: entries.length, uncompressedBytes, ratio };
}

/** Inspects a staged archive; never throws for bad content (a damaged archive is a verdict). */
export async function inspectArchive(file: { path: string; size: number }, format: ArchiveFormat, limits: ArchiveLimits): Promise<ArchiveVerdict> {
  try {
    const listing = format === 'zip' ? await listZip(file, limits) : await listWith7z(file.path, format, limits);
    if ('reason' in listing) return { ok: false, ...listing };
    return judge(listing, file.size, limits);
  } catch {
    return { ok: false, reason: 'damaged' };
  }
}

// ------------------------------------------------------------------ zip, by hand

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;
const UINT32_MAX = 0xffffffff;

class Damaged extends Error {}
const check = (ok: boolean) => {
  if (!ok) throw new Damaged();
};

/**
 * The entries of a zip from its central directory (zip64 included): sizes, flags, names; the
 * first bytes of entries stored uncompressed. Local headers must lie one after the other
 * without overlapping, which refuses the "overlapping entries" bombs that reuse one stream.
 */
export async function listZip(file: { path: string; size: number }, limits: Pick<ArchiveLimits, 'maxEntries'>): Promise<Entry[] | ArchiveProblem> {
  const handle = await fsp.open(file.path, 'r');
  try {
    const readAt = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      check(bytesRead === length);
      return buffer;
    };
    const tailLength = Math.min(file.size, 65_535 + 22);
    const tail = await readAt(file.size - tailLength, tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
        end = i;
        break;
      }
    }
    check(end >= 0);
    let count: number = tail.readUInt16LE(end + 10);
    let cdSize: number = tail.readUInt32LE(end + 12);
    let cdOffset: number = tail.readUInt32LE(end + 16);
    if (count === 0xffff || cdSize === UINT32_MAX || cdOffset === UINT32_MAX) {
      // Zip64: the locator sits just before the end record and points at the zip64 end record.
      check(end >= 20 && tail.readUInt32LE(end - 20) === ZIP64_LOCATOR);
      const record = await readAt(Number(tail.readBigUInt64LE(end - 20 + 8)), 56);
      check(record.readUInt32LE(0) === ZIP64_EOCD);
      count = Number(record.readBigUInt64LE(32));
      cdSize = Number(record.readBigUInt64LE(40));
      cdOffset = Number(record.readBigUInt64LE(48));
    }
    // The count alone refuses an archive with too many entries before its directory is read.
    if (count > limits.maxEntries) return { reason: 'entries', entries: count, limit: limits.maxEntries };
    check(cdSize <= MAX_CENTRAL_DIRECTORY && cdOffset + cdSize <= file.size);
    const cd = await readAt(cdOffset, cdSize);
    const entries: Array<Entry & { offset: number; compressed: number; nameLength: number; method: number }> = [];
    let at = 0;
    while (at < cd.length) {
      check(at + 46 <= cd.length && cd.readUInt32LE(at) === CENTRAL_ENTRY);
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      let compressed = cd.readUInt32LE(at + 20);
      let size = cd.readUInt32LE(at + 24);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      let offset = cd.readUInt32LE(at + 42);
      check(at + 46 + nameLength + extraLength + commentLength <= cd.length);
      const name = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      if (size === UINT32_MAX || compressed === UINT32_MAX || offset === UINT32_MAX) {
        // The zip64 extra field holds, in this order, those of the three that are 0xFFFFFFFF.
        const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
        let field = 0;
        while (field + 4 <= extra.length && extra.readUInt16LE(field) !== 0x0001) field += 4 + extra.readUInt16LE(field + 2);
        check(field + 4 <= extra.length);
        const data = extra.subarray(field + 4, field + 4 + extra.readUInt16LE(field + 2));
        let next = 0;
        const take = () => {
          check(next + 8 <= data.length);
          const value = Number(data.readBigUInt64LE(next));
          next += 8;
          return value;
        };
        if (size === UINT32_MAX) size = take();
        if (compressed === UINT32_MAX) compressed = take();
        if (offset === UINT32_MAX) offset = take();
      }
      entries.push({ name, size, compressed, offset, nameLength, method, directory: name.endsWith('/'), encrypted: (flags & 0x01) !== 0 });
      at += 46 + nameLength + extraLength + commentLength;
      if (entries.length > limits.maxEntries) return { reason: 'entries', entries: entries.length, limit: limits.maxEntries };
    }
    check(entries.length === count);
    // Entries one after the other, none overlapping another, all before the central directory.
    const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
    byOffset.forEach((entry, i) => {
      const nextStart = i + 1 < byOffset.length ? byOffset[i + 1].offset : cdOffset;
      check(entry.offset + 30 + entry.nameLength + entry.compressed <= nextStart);
    });
    // The first bytes of entries stored as they are: an archive renamed to '.txt' is still one.
    for (const entry of entries) {
      if (entry.method !== 0 || entry.directory || entry.size < 4 || entry.encrypted) continue;
      const local = await readAt(entry.offset, 30);
      check(local.readUInt32LE(0) === LOCAL_ENTRY);
      const dataAt = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      check(dataAt + Math.min(entry.size, 8) <= cdOffset);
      entry.head = await readAt(dataAt, Math.min(entry.size, 8));
    }
    return entries;
  } catch (error) {
    if (error instanceof Damaged) return { reason: 'damaged' };
    throw error;
  } finally {
    await handle.close();
  }
}

// ------------------------------------------------------------------ 7z and rar, with 7-Zip

async function readHead(filePath: string, length: number): Promise<Buffer> {
  const handle = await fsp.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A listing taking longer than this is ended, and the archive refused as unreadable. */
export const LISTING_TIMEOUT_MS = 15_000;
const WORKER = new URL('./sevenzip-worker.mjs', import.meta.url);

/** 7-Zip's listing of a staged archive, from sevenzip-worker.mjs; null when it took too long. */
function run7z(filePath: string, type: string, maxEntries: number): Promise<{ failed: boolean; lines: string[]; listed: number } | null> {
  return new Promise((resolve, reject) => {
    // The listing's strings stay small (maxEntries entries at most); 7-Zip's own memory is the
    // WebAssembly instance's, at most 2 GB by its build, freed with the worker.
    const worker = new Worker(WORKER, { workerData: { path: filePath, type, maxEntries }, resourceLimits: { maxOldGenerationSizeMb: 256 }, stdout: true, stderr: true });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(null);
    }, LISTING_TIMEOUT_MS);
    worker.once('message', (result) => {
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve({ failed: true, lines: [], listed: 0 });
    });
  });
}

/**
 * Lists a 7z or rar archive with 7-Zip compiled to WebAssembly (`7z l -slt`) in a worker thread,
 * the staged file's folder mounted through NODEFS: nothing is extracted or copied. A fresh
 * worker per listing (about 100 ms): the event loop is never held, a failed run leaves nothing
 * behind, and a listing that takes too long is ended.
 */
export async function listWith7z(filePath: string, format: '7z' | 'rar', limits: Pick<ArchiveLimits, 'maxEntries'>): Promise<Entry[] | ArchiveProblem> {
  // 7-Zip names RAR 5 ('Rar!\x1a\x07\x01\x00') and the older RAR ('Rar!\x1a\x07\x00') apart.
  const signature = await readHead(filePath, 8);
  const type = format === '7z' ? '7z' : signature[6] === 0x01 ? 'rar5' : 'rar';
  const result = await run7z(filePath, type, limits.maxEntries);
  if (!result) return { reason: 'damaged' };
  const { failed, lines: out, listed } = result;
  const text = out.join('\n');
  if (/encrypted archive|Wrong password/i.test(text)) return { reason: 'encrypted', entry: null };
  // 7-Zip 24.09 in WebAssembly ends without a word on a 7z whose names are encrypted (-mhe).
  if (failed && format === '7z' && (await sevenZipHeaderEncrypted(filePath))) return { reason: 'encrypted', entry: null };
  if (failed || /^(ERRORS?|Open ERROR|WARNINGS?):/im.test(text) || /Can not open|Unexpected end|Headers Error|Data Error|is not archive/i.test(text)) return { reason: 'damaged' };
  if (listed > limits.maxEntries) return { reason: 'entries', entries: listed, limit: limits.maxEntries };
  const split = text.indexOf('\n----------\n');
  if (split < 0) return { reason: 'damaged' };
  const entries: Entry[] = [];
  for (const block of text.slice(split + 12).split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf(' = ');
      if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 3));
    }
    if (!fields.has('Path')) continue;
    const directory = fields.get('Folder') === '+' || (fields.get('Attributes') ?? '').startsWith('D');
    const size = Number(fields.get('Size') || (directory ? '0' : 'NaN'));
    if (!Number.isSafeInteger(size) || size < 0) return { reason: 'damaged' };
    entries.push({ name: fields.get('Path')!, size, directory, encrypted: fields.get('Encrypted') === '+' });
  }
  return entries;
}

const AES_METHOD = Buffer.from([0x06, 0xf1, 0x07, 0x01]);
const MAX_7Z_HEADER = 1024 * 1024;

/**
 * Whether a 7z archive's header is itself compressed and encrypted (7-Zip's "encrypt file
 * names"): the start header points at the next header, which is then an encoded header
 * (0x17) whose coder is 7zAES (method 06 F1 07 01).
 */
async function sevenZipHeaderEncrypted(filePath: string): Promise<boolean> {
  const handle = await fsp.open(filePath, 'r');
  try {
    const start = Buffer.alloc(32);
    if ((await handle.read(start, 0, 32, 0)).bytesRead < 32) return false;
    const offset = Number(start.readBigUInt64LE(12));
    const size = Math.min(Number(start.readBigUInt64LE(20)), MAX_7Z_HEADER);
    if (!Number.isSafeInteger(offset) || size <= 0) return false;
    const header = Buffer.alloc(size);
    const { bytesRead } = await handle.read(header, 0, size, 32 + offset);
    return bytesRead > 0 && header[0] === 0x17 && header.subarray(0, bytesRead).includes(AES_METHOD);
  } finally {
    await handle.close();
  }
}
