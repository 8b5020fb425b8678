import type { Platform } from '../module.ts';
import { createSenders } from '../notify/senders.ts';
import { releaseOrphanedClaims, startDeliveryWaker, useNotifySenders } from '../notify/service.ts';
import { releaseOrphanedJobLeases, startJobs, type Logger, type StopJobs } from './scheduler.ts';

/**
 * Starts this process's share of background work: the job scheduler with every module's jobs
 * and the outbox wake-up after commits. Does nothing when ZT_RUN_JOBS=0 (such processes only
 * serve requests; messages they write are delivered by the others). Returns stop(), which
 * waits for work in progress: call it on shutdown before closing the database.
 */
export function startBackgroundWork(platform: Platform, log: Logger): () => Promise<void> {
  if (!platform.config.runJobs) return async () => {};
  const senders = createSenders(platform.config, log);
  useNotifySenders(platform, senders);
  if (senders.sms.kind === 'log') log.warn({ channel: 'sms' }, 'no SMS gateway configured (ZT_SMS_URL): no real SMS is sent; each SMS, verification codes included, is written to this log');
  let stopped = false;
  let stopWaker: (() => Promise<void>) | null = null;
  let stopJobs: StopJobs | null = null;
  const started = (async () => {
    if (platform.dbKind === 'pglite') {
      // One process holds the embedded database: claims still open were left by its previous
      // life (killed mid-delivery), so they are retried now instead of after their lease.
      try {
        const messages = await releaseOrphanedClaims(platform);
        const jobs = await releaseOrphanedJobLeases(platform);
        if (messages || jobs) log.warn({ messages, jobs }, 'resumed work interrupted by the previous shutdown');
      } catch (err) {
        log.error({ err }, 'could not resume interrupted work; it resumes when its leases expire');
      }
    }
    if (stopped) return;
    stopWaker = startDeliveryWaker(platform, log);
    stopJobs = startJobs(platform, platform.modules.jobs, log);
  })();
  return async () => {
    stopped = true;
    await started;
    if (stopJobs) await stopJobs();
    if (stopWaker) await stopWaker();
    senders.email.close();
  };
}
