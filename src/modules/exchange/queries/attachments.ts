import type { FileAccessPolicy } from '../../../platform/files/service.ts';
import { getDocumentRow } from './documents.ts';
import { mayReadDocument } from './access.ts';

/** A document's attachments are downloaded by whoever may read the document. */
export const mayDownloadAttachments: FileAccessPolicy = async (platform, principal, ownerId) => {
  if (!principal) return false;
  const document = await getDocumentRow(platform.db, ownerId);
  return !!document && mayReadDocument(platform.db, principal, document);
};
