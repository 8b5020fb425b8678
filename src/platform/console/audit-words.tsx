/**
 * The audit log in words: actions and object types by the modules' labels (`audit.action.<code>`,
 * `audit.object.<type>`), people by their names, objects by the names and pages their modules
 * resolve, details as a definition list; and the same rows as CSV for a spreadsheet.
 */
import { hasMessage, translate, type Lang } from '../i18n/index.ts';
import type { Platform } from '../module.ts';
import type { AuditView } from '../audit/service.ts';
import { displayNames } from '../iam/index.ts';
import { attr, formatDateTime, type ViewContext } from '../views/index.ts';

export interface NamedObject {
  name: string;
  href: string | null;
}

/** What the page and the export show of a page of records: people's and objects' names. */
export interface AuditNames {
  people: Map<string, string>;
  objects: Map<string, NamedObject>;
}

const objectKey = (type: string, id: string) => `${type}\u0000${id}`;

export async function nameRecords(platform: Platform, items: AuditView[]): Promise<AuditNames> {
  const people = await displayNames(platform.db, items.map((r) => r.actorId).filter((id): id is string => !!id));
  const byType = new Map<string, Set<string>>();
  for (const r of items) if (r.objectType && r.objectId) byType.set(r.objectType, (byType.get(r.objectType) ?? new Set()).add(r.objectId));
  const objects = new Map<string, NamedObject>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      const resolve = platform.modules.auditObjects.get(type);
      if (!resolve) return;
      // Ids of another shape (a date for a calendar day) must not fail the page: the type still shows.
      const found = await resolve(platform.db, [...ids]).catch(() => new Map<string, NamedObject>());
      for (const [id, named] of found) objects.set(objectKey(type, id), named);
    }),
  );
  return { people, objects };
}

export const actionLabel = (lang: Lang, code: string) => (hasMessage(`audit.action.${code}`) ? translate(lang, `audit.action.${code}`) : code);
export const objectTypeLabel = (lang: Lang, type: string) => (hasMessage(`audit.object.${type}`) ? translate(lang, `audit.object.${type}`) : type);
const detailLabel = (lang: Lang, key: string) => (hasMessage(`audit.detail.${key}`) ? translate(lang, `audit.detail.${key}`) : key);

export const actorName = (lang: Lang, r: AuditView, names: AuditNames) => (r.actorId ? (names.people.get(r.actorId) ?? r.actorName ?? r.actorId) : (r.actorName ?? translate(lang, 'page.audit.system')));

export function objectText(lang: Lang, r: AuditView, names: AuditNames): { type: string; name: string; href: string | null } | null {
  if (!r.objectType) return null;
  const named = r.objectId ? names.objects.get(objectKey(r.objectType, r.objectId)) : undefined;
  return { type: objectTypeLabel(lang, r.objectType), name: named?.name || r.objectId || '', href: named?.href ?? null };
}

const valueText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
/** Long values are cut on the page; the API and the export give them whole. */
const SHOWN = 120;

export function Details({ ctx, details }: { ctx: ViewContext; details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (!entries.length) return '';
  return (
    <dl class="audit-details">
      {entries.map(([key, value]) => {
        const text = valueText(value);
        return (
          <>
            <dt safe>{detailLabel(ctx.lang, key)}</dt>
            <dd safe>{text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text}</dd>
          </>
        );
      })}
    </dl>
  );
}

export function ObjectCell({ ctx, r, names, filterHref }: { ctx: ViewContext; r: AuditView; names: AuditNames; filterHref: string }) {
  const object = objectText(ctx.lang, r, names);
  if (!object) return '—';
  return (
    <>
      <a href={attr(filterHref)} class="muted" safe>
        {object.type}
      </a>{' '}
      {object.href ? (
        <a href={attr(object.href)} safe>
          {object.name}
        </a>
      ) : (
        <span safe>{object.name}</span>
      )}
    </>
  );
}

// ---------------------------------------------------------------- CSV

const cell = (text: string) => {
  // A leading =, +, - or @ would be a formula in a spreadsheet program.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};


export function csvLines(lang: Lang, items: AuditView[], names: AuditNames): string[] {
  return items.map((r) => {
    const object = objectText(lang, r, names);
    const details = Object.entries(r.details)
      .map(([key, value]) => `${detailLabel(lang, key)}: ${valueText(value)}`)
      .join('; ');
    return [
      formatDateTime(r.at, lang, { seconds: true }),
      actorName(lang, r, names),
      actionLabel(lang, r.action),
      object?.type ?? '',
      object?.name ?? '',
      translate(lang, r.outcome === 'success' ? 'page.audit.success' : 'page.audit.failure'),
      r.ip ?? '',
      details,
      r.id,
    ]
      .map((v) => cell(String(v)))
      .join(',');
  });
}
