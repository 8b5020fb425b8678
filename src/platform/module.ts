import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Db } from './db/index.ts';
import type { Work } from './db/work.ts';
import type { CryptoProvider } from './crypto/index.ts';
import type { MessageCatalogue } from './i18n/index.ts';
import type { Role } from './iam/roles.ts';
import type { Principal } from './iam/principal.ts';
import type { AppError, ErrorDefinition } from './http/errors.ts';
import type { Template } from './notify/templates.ts';
import type { NavGroup } from './views/nav.ts';
import type { DomainEvent } from './events.ts';
import type { ModuleRegistry } from './registry.ts';
import type { FileAccessPolicy } from './files/service.ts';
import type { SubjectChange, SupervisedSubject } from './supervision.ts';
import type { TaskKind } from './tasks/kinds.ts';
import type { StaticPageSource } from './static/types.ts';

/** The system clock, read at the moment of every decision (never cached), replaceable in tests. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What every module receives: shared infrastructure, never another module's tables. */
export interface Platform {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  crypto: CryptoProvider;
  clock: Clock;
  /** SM4 key for personal data at rest. */
  fieldKey: Uint8Array;
  /** What the installed modules contribute: permissions, navigation, subscriptions, subjects. */
  modules: ModuleRegistry;
}

export interface JobDefinition {
  name: string;
  /** Seconds between runs. */
  everySeconds: number;
  /** `log`: the process's log, for a job whose result belongs there (the audit checkpoint's line). */
  run(platform: Platform, log?: { info(obj: object, msg?: string): void }): Promise<void>;
}

/** A permission a module introduces, and the built-in roles that hold it by default. */
export interface PermissionDeclaration {
  /** '<module>.<verb>', e.g. 'approval.intake'. */
  name: string;
  roles: Role[];
  /**
   * An office that watches other departments (supervision): an assignment of it scoped to a unit
   * covers every unit of the installation; one scoped to a region still covers that region only.
   */
  oversight?: boolean;
}

/** A number on the console home (待办, cards to review …), counted for the signed-in account. */
export interface DashboardCounter {
  /** '<module>.<name>'. */
  id: string;
  /** Catalogue key of the label. */
  key: string;
  /** Shown only to holders of this permission. */
  permission: string;
  /** Where the number leads. */
  href: string;
  count(platform: Platform, principal: Principal): Promise<number>;
}

/** Reacts to another module's event inside the publisher's unit of work. */
export interface Subscription<E extends DomainEvent = DomainEvent> {
  event: E['type'];
  handle(work: Work, platform: Platform, event: E): Promise<void>;
}

/**
 * Reacts to a change of any installed supervised subject (supervision checks it), inside the
 * publisher's unit of work: the registry subscribes it to every event a subject declares in its
 * `changedBy`, so the watcher names no module.
 */
export type SubjectWatcher = (work: Work, platform: Platform, subject: SupervisedSubject, change: SubjectChange) => Promise<void>;

/** The demo city as the modules' demo data sees it: its units by their key in the city's table. */
export interface DemoCity {
  unit(key: string): { id: string; name: string; regionCode: string };
}

/** A finished piece of the demo city's past work (an approval case), for the modules that react to it. */
export interface DemoFinishedSubject {
  type: string;
  id: string;
  /** The applicant's account, when the case was filed online. */
  applicantUserId: string | null;
  applicantName: string;
  applicantPhone: string;
}

/**
 * What other modules do while the demo city's past is generated: the platform passed to them has
 * its clock set to the moment in the past. Everything goes through the modules' own services.
 */
export interface DemoActivityHooks {
  /** At the end of each past working day (the supervision scan). */
  onDay?: (platform: Platform) => Promise<void>;
  /** Some time after a subject finished (ratings, complaints); `random` is the generator's seeded one. */
  onFinished?: (platform: Platform, subject: DemoFinishedSubject, random: () => number) => Promise<void>;
  /** Once all is generated, with the real clock (statistics roll-ups). */
  onEnd?: (platform: Platform) => Promise<void>;
}

/** The demo city's past activity: the module that generates it and the hooks of the others. */
export interface DemoActivity {
  /** Generates `count` past cases over the last months, calling every module's hooks; does nothing when the city has cases. */
  generate?: (platform: Platform, options: { count: number; progress: (line: string) => void; hooks: DemoActivityHooks[] }) => Promise<{ created: number }>;
  hooks?: DemoActivityHooks;
}

/** A link of the public site: its path and the catalogue key of its label. */
export interface PortalLink {
  href: string;
  key: string;
}

/** A card on the public home page: what the module offers the public, and where it starts. */
export interface PortalSection {
  id: string;
  /** Catalogue keys: the heading, a sentence, the button, and the list of what it offers. */
  key: string;
  textKey: string;
  linkKey: string;
  href: string;
  items: string[];
}

/** A link of a home page block: a catalogue key or a name from the data, with a short note. */
export interface PortalHomeLink {
  href: string;
  /** Catalogue key of the label; else `text`, shown as it is (escaped). */
  key?: string;
  text?: string;
  /** Catalogue key of a line under the label, or of a note with `{count}`. */
  noteKey?: string;
  count?: number;
}

/** A block of the public home page filled from a module's data (hot items, departments …). */
export interface PortalHomeBlock {
  id: string;
  /** Catalogue key of the heading. */
  titleKey: string;
  /** 'cards': a few large links; 'list': a ranked list; 'chips': short links side by side. */
  layout: 'cards' | 'list' | 'chips';
  links: PortalHomeLink[];
  /** Catalogue key shown when there are no links (else the block is left out). */
  emptyKey?: string;
  /** A link under the block (all of it). */
  more?: { href: string; key: string };
}

/** What a module adds to the public site. */
export interface PortalContribution {
  /** The home page's search box: a GET form to `action` with an input named q. The first installed module's wins. */
  search?: { action: string };
  /** Blocks of the home page under the search box, in order; kept short and cached by the module. */
  home?: (platform: Platform) => Promise<PortalHomeBlock[]>;
  /** Links of the main navigation, between 首页 and the directory. */
  nav?: PortalLink[];
  sections?: PortalSection[];
  /** Where a signed-in citizen or enterprise finds their own matters; the first installed module's wins. */
  accountHome?: PortalLink;
  /** Pages of the signed-in citizen's or enterprise's own area (我的), in the order shown: 我的办件, 我的证照 … */
  account?: PortalLink[];
  /**
   * The public home page as a module renders it (the portal's main site), or null while it has
   * none: `/` then shows it instead of the platform's own. A hook, because the platform never
   * imports a module; the first installed module's page wins.
   */
  homePage?: (platform: Platform) => Promise<string | null>;
  /**
   * A module's public page (the service hall, letters, 我的 …) inside the main site's own header,
   * navigation and footer, or null while there is none: the platform's layout is used then. Only
   * Chinese pages are given (the site's chrome is Chinese); the first installed module's wins.
   */
  sitePage?: (platform: Platform, page: ModuleSitePage) => Promise<string | null>;
}

/** A module's page as the platform hands it to a site's chrome: the parts as finished HTML or plain text. */
export interface ModuleSitePage {
  /** The page's name (plain text). */
  title: string;
  /** From the site's home to this page (plain text labels). */
  crumbs: Array<{ label: string; href: string }>;
  /** The finished content: breadcrumbs excluded, flash message and heading included. */
  mainHtml: string;
  /** The platform's scripts and settings for <head>. */
  headHtml: string;
  /** The visitor's account block (name, 我的, the logout form with its token) or the sign-in link. */
  accountToolsHtml: string;
  /** 长者模式 from the visitor's cookie. */
  displayLarge: boolean;
}

export type HtmlErrorRenderer = (request: FastifyRequest, reply: FastifyReply, error: AppError) => unknown;

/**
 * Everything a module contributes, declared in one place. `buildApp` installs the manifests of the
 * modules configured to run (ZT_MODULES); nothing registers itself by being imported.
 */
/**
 * Names the module's objects in the audit log: by id, a name a person reads (a receipt number
 * and item, a person's name) and the staff page that shows the object, when there is one.
 */
export type AuditObjectResolver = (db: Db, ids: string[]) => Promise<Map<string, { name: string; href: string | null }>>;

export interface ZtModule {
  /** Lower-case, also the prefix of its permissions, messages, events, templates and error codes. */
  name: string;
  /** Part of the platform: always installed, whatever ZT_MODULES says. */
  platform?: boolean;
  /** Modules that must be installed with this one. */
  requires?: string[];
  /**
   * Keys sort into the global order: 'YYYYMMDD_HHMM_<module>_<what>'. Migrations of every known
   * module run whether or not it is switched on, so switching it on later needs no migration.
   */
  migrations?: Record<string, Migration>;
  /** Registers the module's routes inside its own encapsulated plugin. */
  routes?: (app: FastifyInstance, platform: Platform) => Promise<void>;
  jobs?: JobDefinition[];
  /** Message catalogues in both languages; keys start with the module's name (or 'page.<module>'). */
  messages?: MessageCatalogue[];
  /** Error codes of the module, '<MODULE>_<WHAT>', beside the platform's generic ones. */
  errors?: Record<string, ErrorDefinition>;
  permissions?: PermissionDeclaration[];
  consoleNav?: NavGroup[];
  dashboard?: DashboardCounter[];
  /** Kinds of process-engine tasks the module owns: the platform's inbox lists and completes them. */
  tasks?: TaskKind[];
  /** Notification templates, '<module>.<name>'. */
  templates?: Record<string, Template>;
  /** Event types the module publishes (documentation and a check that subscriptions name real events). */
  publishes?: string[];
  subscriptions?: Subscription[];
  /** The work this module offers to supervision (src/platform/supervision.ts). */
  supervisedSubjects?: SupervisedSubject[];
  /** Called when any installed module's supervised subject changes. */
  watchesSubjects?: SubjectWatcher;

  portal?: PortalContribution;
  /** Public pages the module publishes as files, incrementally (src/platform/static, decision 0016). */
  staticPages?: StaticPageSource[];
  /**
   * The module's objects in the audit log by object type ('approval_application'): their names
   * and pages. The words for its actions and object types are messages `audit.action.<code>` and
   * `audit.object.<type>` of the module's catalogue.
   */
  auditObjects?: Record<string, AuditObjectResolver>;
  /** Who may download files attached to the module's objects, by owner type '<module>.<object>'. */
  fileAccess?: Record<string, FileAccessPolicy>;
  /** The error page of non-API paths (the console provides it). */
  htmlErrorPage?: HtmlErrorRenderer;
  /**
   * Loads the module's part of the demo city once the platform's regions, units and accounts
   * exist. Runs on every demo load: it must leave what it made before as it is.
   */
  demo?: (work: Work, platform: Platform, city: DemoCity) => Promise<void>;
  /** The demo city's past: generated once, after every module's demo data (outside one transaction). */
  demoActivity?: DemoActivity;
}

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
  }
}
