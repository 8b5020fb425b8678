import type { TObject, TProperties } from '@sinclair/typebox';
import type { Work } from '../db/work.ts';
import type { Lang } from '../i18n/index.ts';
import type { Principal } from '../iam/principal.ts';
import type { Platform } from '../module.ts';
import type { OpenTaskRow } from '../flow/service.ts';

/** What the owning module says about one of its open tasks in the inbox. */
export interface TaskDescription {
  /** One line naming the task, in the caller's language (e.g. receipt number, item and step). */
  title: string;
  /** The console page where the task is handled. */
  link: string;
  /** The step's name as the module's process calls it (the step key when absent). */
  stepName?: string;
  /** The module's own fields of the list item, as its `fields` schema declares them. */
  fields?: Record<string, unknown>;
}

/**
 * A kind of task: the open steps of one subject type of the process engine (an approval case, a
 * letter, a hotline ticket, a document to sign off), declared in the owning module's manifest.
 * The platform's inbox lists them, asks the module to describe them, and hands completion (and
 * reassignment) to the module's command.
 */
export interface TaskKind {
  /** The subject type the module starts its process instances with, e.g. 'approval_case'. */
  subjectType: string;
  /** Fields the module adds to each item of the inbox (documented in the API, optional there). */
  fields?: TProperties;
  /** Describes a page of the caller's tasks of this kind (one read for all of them, not one per task). */
  describe(platform: Platform, principal: Principal, tasks: readonly OpenTaskRow[], lang: Lang): Promise<Map<string, TaskDescription>>;
  complete: {
    /** The body the module's command takes; checked before the command runs. */
    body: TObject;
    /** What the command answers. */
    result: TObject;
    /** Summary of the operation in the API description. */
    summary?: string;
    run(work: Work, platform: Platform, principal: Principal, taskId: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
  /** Handing an open task to one person; absent when the module does not allow it. */
  reassign?: {
    /** Held by whoever may reassign (403 without it); the command checks the task's unit again. */
    permission: string;
    run(work: Work, platform: Platform, principal: Principal, taskId: string, input: { userId: string }): Promise<{ taskId: string; caseId: string; assignee: string }>;
  };
}

/** A task kind as installed: with the module that declared it. */
export interface InstalledTaskKind extends TaskKind {
  module: string;
}
