import { registerMessages } from './i18n/index.ts';
import { registerErrorCodes } from './http/errors.ts';
import { registerTemplate } from './notify/templates.ts';
import { FILE_OWNER_TYPE, type FileAccessPolicy } from './files/service.ts';
import { ROLES, type Role } from './iam/roles.ts';
import type { DomainEvent } from './events.ts';
import type { NavGroup } from './views/nav.ts';
import type { InstalledTaskKind } from './tasks/kinds.ts';
import type { AuditObjectResolver, DashboardCounter, HtmlErrorRenderer, JobDefinition, PermissionDeclaration, PortalContribution, PortalLink, PortalSection, Subscription, SubjectWatcher, ZtModule } from './module.ts';
import type { SupervisedSubject } from './supervision.ts';
import type { StaticPageSource } from './static/types.ts';

/**
 * Which built-in role holds which permission. iam owns the roles; each module declares the
 * permissions it introduces and the roles that get them by default.
 */
export class PermissionTable {
  readonly #byRole = new Map<Role, Set<string>>(ROLES.map((role) => [role, new Set<string>()]));
  readonly #oversight = new Set<string>();
  readonly #declared = new Map<string, string>();

  declare(module: string, declaration: PermissionDeclaration) {
    const owner = this.#declared.get(declaration.name);
    if (owner && owner !== module) throw new Error(`permission ${declaration.name} is declared by ${owner} and ${module}`);
    this.#declared.set(declaration.name, module);
    for (const role of declaration.roles) this.#byRole.get(role)!.add(declaration.name);
    if (declaration.oversight) this.#oversight.add(declaration.name);
  }

  has(role: Role, permission: string): boolean {
    return this.#byRole.get(role)?.has(permission) ?? false;
  }

  isOversight(permission: string): boolean {
    return this.#oversight.has(permission);
  }

  isDeclared(permission: string): boolean {
    return this.#declared.has(permission);
  }

  permissionsOf(role: Role): string[] {
    return [...(this.#byRole.get(role) ?? [])].sort();
  }
}

/** What the installed modules contribute, read by the platform instead of importing a module. */
export class ModuleRegistry {
  readonly modules: readonly ZtModule[];
  readonly permissions = new PermissionTable();
  readonly nav: NavGroup[] = [];
  readonly dashboard: DashboardCounter[] = [];
  readonly jobs: JobDefinition[] = [];
  /** Task kinds by the subject type of their process instances. */
  readonly taskKinds = new Map<string, InstalledTaskKind>();
  readonly portalNav: PortalLink[] = [];
  readonly fileAccess = new Map<string, FileAccessPolicy>();
  /** How the audit log names objects, by object type. */
  readonly auditObjects = new Map<string, AuditObjectResolver>();
  readonly portalSections: PortalSection[] = [];
  readonly accountHome: PortalLink | null;
  readonly portalSearch: { action: string } | null;
  readonly portalHome: Array<NonNullable<PortalContribution['home']>> = [];
  /** The pages of the citizen's own area (我的) the installed modules offer. */
  readonly accountPages: PortalLink[] = [];
  readonly htmlErrorPage: HtmlErrorRenderer | null;
  /** Sources of published pages by name, in the order of the modules (a full rebuild's order). */
  readonly staticSources = new Map<string, StaticPageSource>();
  /** The supervised subjects of the installed modules, by type. */
  readonly subjects: readonly SupervisedSubject[];
  readonly #subscriptions = new Map<string, Subscription[]>();

  constructor(modules: readonly ZtModule[]) {
    this.modules = modules;
    const names = new Set(modules.map((m) => m.name));
    if (names.size !== modules.length) throw new Error('a module is listed twice');
    const published = new Set(modules.flatMap((m) => m.publishes ?? []));
    let htmlErrorPage: HtmlErrorRenderer | null = null;
    let accountHome: PortalLink | null = null;
    let portalSearch: { action: string } | null = null;
    for (const module of modules) {
      for (const needed of module.requires ?? []) {
        if (!names.has(needed)) throw new Error(`module ${module.name} needs module ${needed}, which is not installed`);
      }
      installStrings(module);
      for (const declaration of module.permissions ?? []) this.permissions.declare(module.name, declaration);
      for (const group of module.consoleNav ?? []) addNavGroup(this.nav, group);
      this.dashboard.push(...(module.dashboard ?? []));
      this.jobs.push(...(module.jobs ?? []));
      for (const kind of module.tasks ?? []) {
        const other = this.taskKinds.get(kind.subjectType);
        if (other) throw new Error(`tasks of ${kind.subjectType} are declared by ${other.module} and ${module.name}`);
        this.taskKinds.set(kind.subjectType, { ...kind, module: module.name });
      }
      for (const event of module.publishes ?? []) {
        if (!event.startsWith(`${module.name}.`)) throw new Error(`event ${event} of module ${module.name} must start with '${module.name}.'`);
      }
      for (const subscription of module.subscriptions ?? []) {
        // A subscription to a module that is switched off simply never fires.
        if (!published.has(subscription.event) && names.has(subscription.event.split('.')[0])) {
          throw new Error(`module ${module.name} subscribes to ${subscription.event}, which no module publishes`);
        }
        this.#subscriptions.set(subscription.event, [...(this.#subscriptions.get(subscription.event) ?? []), subscription]);
      }
      for (const [ownerType, policy] of Object.entries(module.fileAccess ?? {})) {
        if (!FILE_OWNER_TYPE.test(ownerType) || !ownerType.startsWith(`${module.name}.`)) throw new Error(`file owner type ${ownerType} of module ${module.name} must be '${module.name}.<object>'`);
        if (this.fileAccess.has(ownerType)) throw new Error(`file access for ${ownerType} is declared twice`);
        this.fileAccess.set(ownerType, policy);
      }
      for (const [objectType, resolver] of Object.entries(module.auditObjects ?? {})) {
        if (this.auditObjects.has(objectType)) throw new Error(`audit objects of type ${objectType} are named twice`);
        this.auditObjects.set(objectType, resolver);
      }
      this.portalNav.push(...(module.portal?.nav ?? []));
      this.portalSections.push(...(module.portal?.sections ?? []));
      accountHome ??= module.portal?.accountHome ?? null;
      portalSearch ??= module.portal?.search ?? null;
      if (module.portal?.home) this.portalHome.push(module.portal.home);
      this.accountPages.push(...(module.portal?.account ?? []));
      if (module.htmlErrorPage) htmlErrorPage = module.htmlErrorPage;
      for (const source of module.staticPages ?? []) {
        if (!source.name.startsWith(`${module.name}.`)) throw new Error(`static page source ${source.name} of module ${module.name} must start with '${module.name}.'`);
        if (this.staticSources.has(source.name)) throw new Error(`static page source ${source.name} is declared twice`);
        this.staticSources.set(source.name, source);
      }
    }
    this.htmlErrorPage = htmlErrorPage;
    this.accountHome = accountHome;
    this.portalSearch = portalSearch;
    this.subjects = this.#installSubjects();
  }

  /**
   * Each subject's change events become subscriptions that hand the change to every module
   * watching subjects (supervision), so a watcher needs no module's event by name.
   */
  #installSubjects(): SupervisedSubject[] {
    const subjects: SupervisedSubject[] = [];
    const watchers = this.modules.filter((m) => m.watchesSubjects).map((m) => m.watchesSubjects!) as SubjectWatcher[];
    for (const module of this.modules) {
      for (const subject of module.supervisedSubjects ?? []) {
        if (subjects.some((s) => s.type === subject.type)) throw new Error(`supervised subject ${subject.type} is declared twice`);
        subjects.push(subject);
        for (const source of subject.changedBy) {
          if (!(module.publishes ?? []).includes(source.event)) throw new Error(`subject ${subject.type} of module ${module.name} changes on ${source.event}, which the module does not publish`);
          for (const watch of watchers) {
            const subscription: Subscription = { event: source.event, handle: (work, platform, event) => watch(work, platform, subject, source.change(event)) };
            this.#subscriptions.set(source.event, [...(this.#subscriptions.get(source.event) ?? []), subscription]);
          }
        }
      }
    }
    return subjects;
  }

  /** The installed subject of this type, or null (its module is switched off, or the type is unknown). */
  subject(type: string): SupervisedSubject | null {
    return this.subjects.find((s) => s.type === type) ?? null;
  }

  has(name: string): boolean {
    return this.modules.some((m) => m.name === name);
  }

  subscriptionsTo<E extends DomainEvent>(type: E['type']): readonly Subscription<E>[] {
    return (this.#subscriptions.get(type) ?? []) as unknown as Subscription<E>[];
  }
}

/**
 * A module's strings, error codes and templates go into the process-wide catalogues: text is
 * looked up by pure render functions that have no application at hand, installing a manifest
 * twice changes nothing, and two applications in one process only ever add text.
 */
function installStrings(module: ZtModule) {
  for (const catalogue of module.messages ?? []) registerMessages(catalogue);
  if (module.errors) registerErrorCodes(module.name, module.errors);
  for (const [key, template] of Object.entries(module.templates ?? {})) {
    if (!key.startsWith(`${module.name}.`)) throw new Error(`template ${key} of module ${module.name} must start with '${module.name}.'`);
    registerTemplate(key, template);
  }
}

/** One group per module, or items added to a group another module opened (by id). */
function addNavGroup(groups: NavGroup[], group: NavGroup) {
  const existing = groups.find((g) => g.id === group.id);
  if (!existing) groups.push({ ...group, items: [...group.items] });
  else for (const item of group.items) if (!existing.items.some((i) => i.href === item.href)) existing.items.push(item);
}
