/** Shared pieces of the meetings pages: the time fields, the state words, the answer table. */
import { attr, formatDateTime, type ViewContext } from '../../../platform/views/index.ts';

export const BASE = '/console/meetings';
export const meetingPath = (id: string, rest = '') => `${BASE}/${encodeURIComponent(id)}${rest}`;

/** A Shanghai wall time from a datetime-local field ('2026-12-20T09:00'), as ISO 8601 with its offset. */
export const fromLocal = (value: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00+08:00` : value);
/** A time for a datetime-local field, in Shanghai. */
export const toLocal = (value: Date | string | null | undefined) => (value ? new Date(new Date(value).getTime() + 8 * 3600_000).toISOString().slice(0, 16) : '');

export function when(ctx: ViewContext, value: Date | string | null) {
  return value ? formatDateTime(value, ctx.lang) : '';
}

export function DateTimeField({ ctx, form, name, label, value, error, required }: { ctx: ViewContext; form: string; name: string; label: string; value: string; error?: string; required?: boolean }) {
  const id = `${form}-${name}`;
  return (
    <div class={['field', error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{label}</span>
        {required ? <span class="required">{ctx.t('ui.required')}</span> : ''}
      </label>
      {error ? (
        <p class="field-error" id={`${attr(id)}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
      <input class="input input-medium" type="datetime-local" id={attr(id)} name={attr(name)} value={attr(value)} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${attr(id)}-error` : undefined} />
    </div>
  );
}

export function TextArea({ ctx, form, name, label, value, error, required, rows }: { ctx: ViewContext; form: string; name: string; label: string; value: string; error?: string; required?: boolean; rows?: number }) {
  const id = `${form}-${name}`;
  return (
    <div class={['field', error ? 'field-invalid' : '']}>
      <label for={attr(id)}>
        <span safe>{label}</span>
        {required ? <span class="required">{ctx.t('ui.required')}</span> : ''}
      </label>
      {error ? (
        <p class="field-error" id={`${attr(id)}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
      <textarea class="input input-long" id={attr(id)} name={attr(name)} rows={String(rows ?? 4)} required={required} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${attr(id)}-error` : undefined} safe>
        {value}
      </textarea>
    </div>
  );
}
