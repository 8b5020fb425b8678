import type { JobDefinition } from '../module.ts';
import { purgeUnattachedFiles } from './service.ts';

import type { ZtModule } from '../module.ts';
import { filesMigrations } from './migrations.ts';
import { filesRoutes } from './routes.ts';
import { filesMessages } from './messages.ts';
export { filesMigrations } from './migrations.ts';
export { filesRoutes, readUpload, refuseDeclaredOver, registerUploadScope, sendFile } from './routes.ts';
export {
  attachFile,
  attachFiles,
  attachUnownedFiles,
  recordUpload,
  tooLarge,
  blobStoreFor,
  canAccessFile,
  getFile,
  getFiles,
  listAttachedFiles,
  openDownload,
  prepareUpload,
  purgeUnattachedFiles,
  readFileContent,
  storeGeneratedFile,
  FILE_OWNER_TYPE,
  saveUpload,
  recordStoredUpload,
  uploadFile,
  useBlobStore,
  UNATTACHED_RETENTION_MS,
  type Download,
  type FileAccessPolicy,
  type FileInfo,
  type FileOwner,
  type GeneratedFile,
  type FilesTables,
  type PreparedUpload,
  type UploadInput,
} from './service.ts';
export { LocalBlobStore, BlobNotFoundError, BlobTooLargeError, type BlobStore, type BlobInfo, type StagedBlob } from './store.ts';
export { S3BlobStore, s3KeyFor } from './s3-store.ts';
export { ALLOWED_TYPES, sniffContent, type AllowedType, type SniffResult } from './sniff.ts';
export { inspectArchive, RATIO_FLOOR_BYTES, type ArchiveLimits, type ArchiveVerdict } from './archives.ts';
export { sanitizeFileName, contentDisposition } from './names.ts';

export const filesJobs: JobDefinition[] = [
  { name: 'files.purge-unattached', everySeconds: 3600, run: async (platform) => void (await purgeUnattachedFiles(platform)) },
];

/** Content-addressed attachments. */
export const filesManifest: ZtModule = {
  name: 'files',
  platform: true,
  migrations: filesMigrations,
  routes: filesRoutes,
  jobs: filesJobs,
  messages: [filesMessages],
};
