import type { JobDefinition } from '../module.ts';
import { deliverAllDue } from './service.ts';

import type { ZtModule } from '../module.ts';
import { notifyMigrations } from './migrations.ts';
import { notifyRoutes } from './routes.ts';
export { notifyMigrations } from './migrations.ts';
export { notifyRoutes } from './routes.ts';
export { registerTemplate, hasTemplate, renderTemplate, type Template, type TemplateText, type TemplateParams } from './templates.ts';
export {
  createSenders,
  SmtpEmailSender,
  LogEmailSender,
  HttpSmsProvider,
  LogSmsProvider,
  PermanentDeliveryError,
  type EmailSender,
  type EmailMessage,
  type SmsProvider,
  type SmsMessage,
  type NotifySenders,
  type DeliveryReceipt,
} from './senders.ts';
export {
  enqueueMessage,
  enqueueMessages,
  enqueueMessagesAtCommit,
  deliverDue,
  deliverAllDue,
  claimDueMessages,
  useNotifySenders,
  notifySenders,
  wakeDelivery,
  startDeliveryWaker,
  MAX_ATTEMPTS,
  DELIVERY_LEASE_MS,
  RATE_LIMITS,
  retryDelayMs,
  type Channel,
  type OutboxStatus,
  type NewMessage,
  type Recipient,
  type DeliveryReport,
  type NotifyTables,
} from './service.ts';
export { listInbox, countUnread, markInboxRead, listOutbox, getOutboxMessage } from './views.ts';

/** The outbox worker as a periodic job; commits also wake it at once (startDeliveryWaker). */
export const notifyJobs: JobDefinition[] = [
  { name: 'notify.deliver', everySeconds: 5, run: (platform) => deliverAllDue(platform).then(() => undefined) },
];

/** The transactional outbox for SMS, e-mail and in-app messages. */
export const notifyManifest: ZtModule = {
  name: 'notify',
  platform: true,
  migrations: notifyMigrations,
  routes: notifyRoutes,
  jobs: notifyJobs,
  permissions: [{ name: 'outbox.read', roles: ['sysadmin'] }],
};
