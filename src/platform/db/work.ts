import type { Transaction } from 'kysely';
import type { Db } from './index.ts';

/** Who is acting, for audit records and scope checks. */
export interface Actor {
  userId: string | null;
  username: string | null;
  unitId: string | null;
  ip: string | null;
  requestId: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system', unitId: null, ip: null, requestId: null };

/**
 * One unit of work: a database transaction plus what must happen just before it commits
 * (the audit chain is appended last, so its lock is held as briefly as possible) and
 * what runs after it committed (waking workers).
 */
export class Work {
  readonly #beforeCommit = new Map<string, () => Promise<void>>();
  readonly #lastBeforeCommit = new Map<string, () => Promise<void>>();
  readonly #afterCommit: Array<() => void> = [];
  readonly bag = new Map<string, unknown>();

  constructor(
    readonly tx: Transaction<object>,
    readonly actor: Actor,
    /** The database the transaction runs on: what is kept per database (the audit key) is found by it. */
    readonly root: Db | null = null,
  ) {}

  /**
   * Registers a step to run once before commit; a second call with the same key is ignored.
   * `last` steps run after all the others (the audit chain: its lock is then held only for the
   * commit itself).
   */
  beforeCommit(key: string, step: () => Promise<void>, options: { last?: boolean } = {}) {
    const steps = options.last ? this.#lastBeforeCommit : this.#beforeCommit;
    if (!steps.has(key)) steps.set(key, step);
  }
  /**
   * Keeps `items` under `key` and has `write` take all of them just before commit, in one go
   * (audit records, notifications, roll-up increments: one statement instead of one per call).
   * Items added after a flush ran `write` are written by the next one, none twice.
   */
  collectBeforeCommit<T>(key: string, items: T[], write: (items: T[]) => Promise<void>, options: { last?: boolean } = {}) {
    let kept = this.bag.get(key) as T[] | undefined;
    if (!kept) this.bag.set(key, (kept = []));
    kept.push(...items);
    const list = kept;
    this.beforeCommit(key, () => write(list.splice(0)), options);
  }
  afterCommit(step: () => void) {
    this.#afterCommit.push(step);
  }
  /** Runs the registered steps, each once: a second flush runs only steps registered since. */
  async flush() {
    for (const steps of [this.#beforeCommit, this.#lastBeforeCommit]) {
      for (const [key, step] of steps) {
        steps.delete(key);
        await step();
      }
    }
  }
  runAfterCommit() {
    for (const step of this.#afterCommit) {
      try {
        step();
      } catch {
        /* after-commit steps only wake workers; the work itself is durable */
      }
    }
  }
}

/** Runs `fn` in one transaction: the change, its audit records and its outbox rows commit together. */
export async function inTransaction<T>(db: Db, actor: Actor, fn: (work: Work) => Promise<T>): Promise<T> {
  let work: Work | undefined;
  const result = await db.transaction().execute(async (tx) => {
    work = new Work(tx, actor, db);
    const value = await fn(work);
    await work.flush();
    return value;
  });
  work?.runAfterCommit();
  return result;
}
