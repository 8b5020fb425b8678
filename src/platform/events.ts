import type { Work } from './db/work.ts';
import type { Platform } from './module.ts';

/**
 * Domain events inside one unit of work. A module publishes what happened; modules that watch
 * it (supervision watches approval) react in the same transaction, so what they record commits
 * with the change or not at all. Publishers never know their subscribers.
 */
export interface DomainEvent {
  type: string;
  [field: string]: unknown;
}

type Handler = (work: Work, platform: Platform, event: DomainEvent) => Promise<void>;

const handlers = new Map<string, Handler[]>();

export function subscribe(type: string, handler: Handler) {
  handlers.set(type, [...(handlers.get(type) ?? []), handler]);
}

export async function publish(work: Work, platform: Platform, event: DomainEvent) {
  for (const handler of handlers.get(event.type) ?? []) await handler(work, platform, event);
}
