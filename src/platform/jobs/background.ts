import type { Platform, ZtModule } from '../module.ts';
import { createSenders } from '../notify/senders.ts';
import { startDeliveryWaker, useNotifySenders } from '../notify/service.ts';
import { startJobs, type Logger } from './scheduler.ts';

/**
 * Starts this process's share of background work: the job scheduler with every module's jobs
 * and the outbox wake-up after commits. Does nothing when ZT_RUN_JOBS=0 (such processes only
 * serve requests; messages they write are delivered by the others). Returns stop(), which
 * waits for work in progress: call it on shutdown before closing the database.
 */
export function startBackgroundWork(platform: Platform, modules: ZtModule[], log: Logger): () => Promise<void> {
  if (!platform.config.runJobs) return async () => {};
  const senders = createSenders(platform.config, log);
  useNotifySenders(platform, senders);
  const stopWaker = startDeliveryWaker(platform, log);
  const stopJobs = startJobs(platform, modules.flatMap((m) => m.jobs ?? []), log);
  return async () => {
    await stopJobs();
    await stopWaker();
    senders.email.close();
  };
}
