/**
 * Child process of the crash test in distribution-race.test.ts: sends a signed-off document to all
 * its recipient units in a PostgreSQL database, then holds the transaction open with every receipt
 * and notification written and tells the parent, which kills it with SIGKILL.
 * Arguments: DATABASE_URL DOCUMENT_ID. Needs ZT_FIELD_KEY.
 */
import os from 'node:os';
import { loadConfig } from '../../config/index.ts';
import { openDatabase } from '../../platform/db/index.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import { softwareCrypto } from '../../platform/crypto/index.ts';
import { loadFieldKey } from '../../platform/crypto/keys.ts';
import { registerTemplate } from '../../platform/notify/templates.ts';
import { systemClock, type Platform } from '../../platform/module.ts';
import { ModuleRegistry } from '../../platform/registry.ts';
import { exchangeDb } from './model.ts';
import { distributionTemplates } from './notify.ts';
import { checkRecipients, deliver } from './commands/deliver.ts';

const [databaseUrl, documentId] = process.argv.slice(2);
const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, ZT_DATA_DIR: os.tmpdir(), ZT_DEMO: '0', ZT_RUN_JOBS: '0', LOG_LEVEL: 'silent' });
const database = await openDatabase({ databaseUrl, pgliteDir: null, poolSize: 2 });
const platform: Platform = { config, db: database.db, dbKind: 'postgres', crypto: softwareCrypto, clock: systemClock, fieldKey: loadFieldKey(config), modules: new ModuleRegistry([]) };
for (const [key, template] of Object.entries(distributionTemplates)) registerTemplate(key, template);

await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
  const document = await exchangeDb(work.tx).selectFrom('exchange_documents').selectAll().where('id', '=', documentId).forUpdate().executeTakeFirstOrThrow();
  const recipients = await checkRecipients(work, { main: document.main_recipient_ids, cc: document.cc_recipient_ids });
  // Half the receipts' worth of work done, then the rest: the kill lands with everything written, nothing committed.
  await deliver(work, platform, document, recipients, platform.clock.now());
  await work.flush();
  process.send!('holding');
  await new Promise(() => {});
});
process.send!('committed');
