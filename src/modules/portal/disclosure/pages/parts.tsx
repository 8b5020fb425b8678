/** What the disclosure pages share: the unit's tabs, words for validity, dates. */
import Html from '@kitajs/html';
import { attr, describedBy, FieldNotes, fieldMessages, type FieldMessages, type ViewContext } from '../../../../platform/views/index.ts';
import { AppError } from '../../../../platform/http/errors.ts';
import type { Lang } from '../../../../platform/i18n/index.ts';
import { shanghaiDate } from '../../../../platform/calendar/index.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import type { Validity } from '../model.ts';

export const PUBLIC_BASE = '/xxgk';
export const CONSOLE_BASE = '/console/portal/disclosure';
export const unitPath = (unit: Pick<Unit, 'id'>) => `${PUBLIC_BASE}/${unit.id}`;

export const validityName = (ctx: ViewContext, validity: Validity) => ctx.t(`portal.disclosure.validity.${validity}`);
/** A publication moment as its calendar day in Shanghai. */
export const day = (value: Date | string) => {
  const text = shanghaiDate(typeof value === 'string' ? new Date(value) : value);
  return <time datetime={attr(text)}>{Html.escapeHtml(text)}</time>;
};

export const catalogueCrumbs = (ctx: ViewContext, unit: Unit) => [
  { href: PUBLIC_BASE, label: ctx.t('page.portalDisclosure.public.home') },
  { href: unitPath(unit), label: Html.escapeHtml(unit.name) },
];

/** The unit's disclosure pages: catalogue, guide, annual report, and the request form (政民互动). */
export function UnitTabs({ ctx, unit, current, requests }: { ctx: ViewContext; unit: Unit; current: 'catalogue' | 'guide' | 'report'; requests: boolean }) {
  const links: Array<[string, string, string | null]> = [
    [unitPath(unit), 'page.portalDisclosure.public.tab.catalogue', 'catalogue'],
    [`${unitPath(unit)}/guide`, 'page.portalDisclosure.public.tab.guide', 'guide'],
    [`${unitPath(unit)}/report`, 'page.portalDisclosure.public.tab.report', 'report'],
  ];
  if (requests) links.push([`/interaction/disclosure/apply?unit=${encodeURIComponent(unit.id)}`, 'page.portalDisclosure.public.tab.apply', null]);
  return (
    <nav class="tabs" aria-label={ctx.ta('page.portalDisclosure.public.tabs')}>
      <ul>
        {links.map(([href, key, id]) => (
          <li>
            <a href={attr(href)} aria-current={id === current ? 'page' : undefined}>
              {ctx.t(key)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A multi-line text field (the item's text, the guide), with the platform's hint and error notes. */
export function TextArea({ ctx, form, name, label, value, error, hint, required, rows }: { ctx: ViewContext; form: string; name: string; label: string; value: string; error?: string; hint?: string; required?: boolean; rows?: number }) {
  const id = `${form}-${name}`;
  return (
    <div class={['field', error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{label}</span>
        {required ? <span class="required">{ctx.t('ui.required')}</span> : ''}
      </label>
      <FieldNotes id={id} hint={hint} error={error} />
      <textarea class="input input-long" id={attr(id)} name={attr(name)} rows={String(rows ?? 4)} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, hint, error)} safe>
        {value}
      </textarea>
    </div>
  );
}

/**
 * Runs a form's command; any refusal the editor can correct (4xx but 403/404), the catalogue's own
 * codes included (a taken index number, a duplicate category), comes back as messages for the form.
 */
export async function attemptForm<T>(lang: Lang, action: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError; fields: FieldMessages; summary: string }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 403 && error.status !== 404) {
      return { ok: false, error, fields: fieldMessages(error.fieldErrors, lang), summary: error.toProblem(lang).detail };
    }
    throw error;
  }
}
