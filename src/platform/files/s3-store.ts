import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client, HeadObjectCommand, PutObjectCommand, GetObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { loadS3 } from '../lazy.ts';
import type { S3Config } from '../../config/index.ts';
import { BlobNotFoundError, blobRelativePath, stageToDisk, sweepStagingDir, type BlobInfo, type BlobStore, type StagedBlob } from './store.ts';

/** Object key of a blob: the same `ab/cd/<sm3>` layout as on disk, under `files/`. */
export function s3KeyFor(sm3: string): string {
  return `files/${blobRelativePath(sm3)}`;
}

/** The part of S3Client the store uses, so tests can stand in for the network. */
export interface S3Sender {
  send(command: HeadObjectCommand | PutObjectCommand | GetObjectCommand | DeleteObjectCommand): Promise<unknown>;
}

export async function makeS3Client(config: S3Config): Promise<S3Client> {
  const { S3Client } = await loadS3();
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    // Many S3-compatible servers do not understand the newer default checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return !!e && (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404);
}

/**
 * Blobs in an S3-compatible bucket. Content is staged on local disk first (its digest, which
 * is its key, is only known at the end), then uploaded with its length in one request.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;

  constructor(
    private readonly client: S3Sender,
    private readonly bucket: string,
    readonly stagingDir: string,
  ) {}

  static fromConfig(config: S3Config, dataDir: string): S3BlobStore {
    let client: Promise<S3Client> | null = null;
    // The SDK is loaded with the first request to the bucket, not when the server starts.
    const sender: S3Sender = { send: async (command) => (await (client ??= makeS3Client(config))).send(command as PutObjectCommand) };
    return new S3BlobStore(sender, config.bucket, path.join(dataDir, 'files', 'tmp'));
  }

  stage(content: AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}) {
    return stageToDisk(this.stagingDir, content, options.maxBytes);
  }

  async commit(staged: StagedBlob): Promise<void> {
    if (await this.exists(staged.sm3)) return;
    const { PutObjectCommand } = await loadS3();
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: s3KeyFor(staged.sm3),
        Body: fs.createReadStream(staged.path),
        ContentLength: staged.size,
        ContentType: 'application/octet-stream',
        Metadata: { sm3: staged.sm3 },
      }),
    );
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
    const { GetObjectCommand } = await loadS3();
    try {
      const result = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: s3KeyFor(sm3) }))) as { Body?: unknown };
      if (!result.Body) throw new BlobNotFoundError(sm3);
      return result.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(sm3);
      throw error;
    }
  }

  async exists(sm3: string): Promise<boolean> {
    const { HeadObjectCommand } = await loadS3();
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: s3KeyFor(sm3) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(sm3: string): Promise<void> {
    const { DeleteObjectCommand } = await loadS3();
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: s3KeyFor(sm3) }));
  }

  sweepStaging(olderThanMs: number) {
    return sweepStagingDir(this.stagingDir, olderThanMs);
  }
}
