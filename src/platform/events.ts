import type { Work } from './db/work.ts';
import type { Platform } from './module.ts';

/**
 * Domain events inside one unit of work. A module publishes what happened, typed by its own
 * event interfaces, with what its subscribers need; modules that watch it declare a subscription
 * in their manifest and react in the same transaction, so what they record commits with the
 * change or not at all. Publishers never know their subscribers.
 */
export interface DomainEvent {
  /** '<module>.<what happened>'. */
  type: string;
}

/** Runs the installed modules' subscriptions to the event, one after the other, in the publisher's unit of work. */
export async function publish<E extends DomainEvent>(work: Work, platform: Platform, event: E) {
  for (const subscription of platform.modules.subscriptionsTo<E>(event.type)) await subscription.handle(work, platform, event);
}
