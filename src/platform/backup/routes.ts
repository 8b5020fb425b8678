import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../audit/service.ts';
import { inTransaction } from '../db/work.ts';
import { actorOf } from '../http/context.ts';
import type { Platform } from '../module.ts';
import { createBackup } from './backup.ts';

/**
 * A backup downloaded from the running server: the only way to back up the embedded database
 * without stopping the server (the command line needs the data folder to itself). On the
 * embedded database other requests wait while the snapshot is read.
 */
export async function backupRoutes(app: FastifyInstance, platform: Platform) {
  app.get(
    '/api/v1/system/backup',
    {
      schema: {
        operationId: 'downloadBackup',
        tags: ['system'],
        summary: 'Download a consistent backup (tar.gz of every table, the files and the keys; as secret as the data itself)',
        description: 'The same archive as `zt backup`, restored with `zt restore`. System administrator only. The archive holds the field-encryption key.',
        produces: ['application/gzip'],
        response: { 200: { description: 'the archive', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } } },
      },
      config: { auth: 'system.backup' },
    },
    async (request, reply) => {
      const file = path.join(platform.config.dataDir, `.zt-download-${crypto.randomUUID()}.tar.gz`);
      try {
        const { manifest, bytes } = await createBackup(platform, file);
        await inTransaction(platform.db, actorOf(request), async (work) =>
          recordAudit(work, {
            action: 'system.backup',
            objectType: 'backup',
            details: { createdAt: manifest.createdAt, bytes, tables: manifest.tables.length, files: manifest.files.length, auditRecords: manifest.audit.records },
          }),
        );
        const stream = fs.createReadStream(file);
        // The open stream keeps the file readable; its name goes at once.
        stream.once('open', () => fs.rm(file, { force: true }, () => undefined));
        stream.once('error', () => fs.rm(file, { force: true }, () => undefined));
        const stamp = manifest.createdAt.replace(/[:.]/g, '-');
        return reply
          .header('content-type', 'application/gzip')
          .header('content-disposition', `attachment; filename="zhengtong-backup-${stamp}.tar.gz"`)
          .header('cache-control', 'no-store')
          .send(stream);
      } catch (error) {
        fs.rmSync(file, { force: true });
        throw error;
      }
    },
  );
}
