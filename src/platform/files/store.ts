import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** How many leading bytes a staged blob keeps in memory for type sniffing. */
export const HEAD_BYTES = 64 * 1024;

const SM3_HEX = /^[0-9a-f]{64}$/;
export const isSm3Hex = (value: string) => SM3_HEX.test(value);

export interface BlobInfo {
  sm3: string;
  size: number;
}

/**
 * Content received and hashed but not yet stored under its name: a private temporary file
 * on local disk (random access for sniffing) plus its first bytes.
 */
export interface StagedBlob extends BlobInfo {
  path: string;
  head: Buffer;
  /** Removes the temporary file; safe to call twice. */
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`content exceeds ${limitBytes} bytes`);
  }
}

export class BlobNotFoundError extends Error {
  constructor(readonly sm3: string) {
    super(`no stored content ${sm3}`);
  }
}

/**
 * Where attachment content lives, addressed by its SM3 digest. Content is staged first (hashed
 * and counted while it streams to a temporary file, never held in memory), inspected by the
 * caller, then committed under its digest; a half-written blob never carries a final name.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Streams content to a temporary file; throws BlobTooLargeError past maxBytes. */
  stage(content: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StagedBlob>;
  /** Stores staged content under its digest; a no-op when that content is already stored. */
  commit(staged: StagedBlob): Promise<void>;
  /** stage + commit + discard, for content that needs no inspection. */
  put(content: AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<BlobInfo>;
  /** The content; throws BlobNotFoundError when it is not stored. */
  get(sm3: string): Promise<Readable>;
  exists(sm3: string): Promise<boolean>;
  /** Removes the content; the caller has made sure nothing refers to it any more. */
  delete(sm3: string): Promise<void>;
  /** Removes temporary files left behind by a crash, older than the given age. */
  sweepStaging(olderThanMs: number): Promise<number>;
}

/** Streams to a new temporary file in dir, hashing with SM3 and counting as the bytes pass. */
export async function stageToDisk(dir: string, content: AsyncIterable<Uint8Array>, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StagedBlob> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o750 });
  const tmpPath = path.join(dir, `${crypto.randomUUID()}.part`);
  const hash = crypto.createHash('sm3');
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const handle = await fsp.open(tmpPath, 'wx', 0o640);
  const discard = () => fsp.rm(tmpPath, { force: true });
  try {
    for await (const chunk of content) {
      size += chunk.length;
      // Leaving the loop destroys the source, so an oversized upload stops being read here.
      if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
      hash.update(chunk);
      if (headLength < HEAD_BYTES) {
        const take = Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength));
        headChunks.push(take);
        headLength += take.length;
      }
      let written = 0;
      while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
    }
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await discard();
    throw error;
  }
  await handle.close();
  return { sm3: hash.digest('hex'), size, path: tmpPath, head: Buffer.concat(headChunks), discard };
}

async function sweepDir(dir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    const stat = await fsp.stat(full).catch(() => null);
    if (stat?.isFile() && now - stat.mtimeMs > olderThanMs) {
      await fsp.rm(full, { force: true });
      removed += 1;
    }
  }
  return removed;
}

/** The relative location of a blob: `ab/cd/abcd…`, so no folder grows past 65 536 entries. */
export function blobRelativePath(sm3: string): string {
  if (!isSm3Hex(sm3)) throw new Error('not an SM3 digest');
  return `${sm3.slice(0, 2)}/${sm3.slice(2, 4)}/${sm3}`;
}

/** Blobs on local disk under `<dataDir>/files`, outside any folder the web server serves. */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly root: string;
  readonly stagingDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    // Staging sits on the same file system as the blobs, so publishing is one atomic link.
    this.stagingDir = path.join(this.root, 'tmp');
  }

  pathOf(sm3: string): string {
    return path.join(this.root, blobRelativePath(sm3));
  }

  stage(content: AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}) {
    return stageToDisk(this.stagingDir, content, options.maxBytes);
  }

  async commit(staged: StagedBlob): Promise<void> {
    const final = this.pathOf(staged.sm3);
    if (await this.exists(staged.sm3)) return;
    const dir = path.dirname(final);
    await fsp.mkdir(dir, { recursive: true, mode: 0o750 });
    try {
      // A hard link publishes the complete file under its name in one step, never overwrites,
      // and leaves the staged copy in place in case the caller must commit again.
      await fsp.link(staged.path, final);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
      // File systems without hard links: copy beside the target, then rename over nothing.
      const copy = `${final}.${crypto.randomUUID()}.tmp`;
      await fsp.copyFile(staged.path, copy);
      const handle = await fsp.open(copy, 'r+');
      await handle.sync().finally(() => handle.close());
      await fsp.rename(copy, final);
    }
    await syncDir(dir);
  }

  async put(content: AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    const staged = await this.stage(content, options);
    try {
      await this.commit(staged);
      return { sm3: staged.sm3, size: staged.size };
    } finally {
      await staged.discard();
    }
  }

  async get(sm3: string): Promise<Readable> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(sm3), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(sm3);
      throw error;
    }
    return handle.createReadStream();
  }

  async exists(sm3: string): Promise<boolean> {
    try {
      return (await fsp.stat(this.pathOf(sm3))).isFile();
    } catch {
      return false;
    }
  }

  async delete(sm3: string): Promise<void> {
    await fsp.rm(this.pathOf(sm3), { force: true });
  }

  sweepStaging(olderThanMs: number) {
    return sweepDir(this.stagingDir, olderThanMs);
  }
}

async function syncDir(dir: string) {
  // Makes the new name itself durable; not every platform can open a folder for fsync.
  try {
    const handle = await fsp.open(dir, fs.constants.O_RDONLY);
    await handle.sync().finally(() => handle.close());
  } catch {
    /* best effort */
  }
}

export { sweepDir as sweepStagingDir };
