/** The application form, online and at the window, and what its fields are called in messages. */
import { attr, Csrf, SelectField, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import type { Item } from '../queries/items.ts';
import { FileField, RadioGroup, TextArea } from './components.tsx';

export interface ApplicationValues {
  kind: 'person' | 'enterprise';
  name: string;
  idNumber: string;
  creditCode: string;
  phone: string;
  form: Record<string, string>;
  /** Files already uploaded with an earlier, refused attempt, by material key. */
  kept: Record<string, { id: string; name: string }>;
}

export const emptyApplication = (name = ''): ApplicationValues => ({ kind: 'person', name, idNumber: '', creditCode: '', phone: '', form: {}, kept: {} });

/** Labels of the application form's inputs, for the error summary. */
export function applicationLabels(ctx: ViewContext, item: Item): Record<string, string> {
  const labels: Record<string, string> = {
    'applicant.kind': ctx.ta('page.approval.apply.kind'),
    'applicant.name': ctx.ta('page.approval.apply.name'),
    'applicant.idNumber': ctx.ta('page.approval.apply.idNumber'),
    'applicant.creditCode': ctx.ta('page.approval.apply.creditCode'),
    'applicant.phone': ctx.ta('page.approval.apply.phone'),
  };
  for (const f of item.formFields) labels[`form.${f.key}`] = f.label;
  for (const m of item.materials) labels[`file.${m.key}`] = m.name;
  return labels;
}

/**
 * The application form: the applicant, the item's own fields, one file input per material. It
 * posts multipart/form-data to `action`; the CSRF field comes first so files after it are taken.
 */
export function ApplicationForm({
  ctx,
  form,
  action,
  item,
  values,
  fields,
  submission,
  submitLabel,
}: {
  ctx: ViewContext;
  form: string;
  action: string;
  item: Item;
  values: ApplicationValues;
  fields?: FieldMessages;
  submission: string;
  submitLabel: JSX.Element;
}) {
  const labels = applicationLabels(ctx, item);
  return (
    <form method="post" action={attr(action)} enctype="multipart/form-data" class="form form-wide" novalidate>
      <Csrf ctx={ctx} />
      <input type="hidden" name="_submission" value={attr(submission)} />
      <fieldset class="panel">
        <legend class="fieldset-legend">{ctx.t('page.approval.apply.applicant')}</legend>
        <RadioGroup
          ctx={ctx}
          form={form}
          name="applicant.kind"
          legend={labels['applicant.kind']}
          value={values.kind}
          error={fields?.['applicant.kind']}
          options={[
            { value: 'person', label: ctx.ta('page.approval.apply.person') },
            { value: 'enterprise', label: ctx.ta('page.approval.apply.enterprise') },
          ]}
          required
        />
        <TextField ctx={ctx} form={form} name="applicant.name" label={labels['applicant.name']} hint={ctx.ta('page.approval.apply.nameHint')} value={values.name} error={fields?.['applicant.name']} maxlength={200} required size="long" autocomplete="name" />
        <div class="form-row">
          <TextField ctx={ctx} form={form} name="applicant.idNumber" label={labels['applicant.idNumber']} hint={ctx.ta('page.approval.apply.idNumberHint')} value={values.idNumber} error={fields?.['applicant.idNumber']} maxlength={18} size="medium" />
          <TextField ctx={ctx} form={form} name="applicant.creditCode" label={labels['applicant.creditCode']} hint={ctx.ta('page.approval.apply.creditCodeHint')} value={values.creditCode} error={fields?.['applicant.creditCode']} maxlength={18} size="medium" />
        </div>
        <TextField ctx={ctx} form={form} name="applicant.phone" type="tel" label={labels['applicant.phone']} hint={ctx.ta('page.approval.apply.phoneHint')} value={values.phone} error={fields?.['applicant.phone']} maxlength={20} required size="medium" autocomplete="tel" inputmode="tel" />
      </fieldset>
      {item.formFields.length ? (
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.apply.formData')}</legend>
          {item.formFields.map((f) => {
            const name = `form.${f.key}`;
            const common = { ctx, form, name, label: f.label, value: values.form[f.key] ?? '', error: fields?.[name], required: f.required };
            if (f.type === 'textarea') return <TextArea {...common} maxlength={f.maxLength ?? 5000} />;
            if (f.type === 'select') return <SelectField {...common} options={(f.options ?? []).map((o) => ({ value: o, label: o }))} placeholder={ctx.ta('page.approval.apply.choose')} />;
            if (f.type === 'date') return <TextField {...common} type="date" size="short" />;
            if (f.type === 'number') return <TextField {...common} inputmode="decimal" size="short" maxlength={30} />;
            return <TextField {...common} maxlength={f.maxLength ?? 200} size="long" />;
          })}
        </fieldset>
      ) : (
        ''
      )}
      {item.materials.length ? (
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.apply.materials')}</legend>
          <p class="field-hint">{ctx.t('page.approval.apply.materialsHint')}</p>
          {item.materials.map((m) => (
            <FileField
              ctx={ctx}
              form={form}
              name={`file.${m.key}`}
              keptName={`kept.${m.key}`}
              label={m.name}
              hint={ctx.ta(m.required ? (m.allowPending ? 'page.approval.apply.materialPending' : 'page.approval.apply.materialRequired') : 'page.approval.apply.materialOptional', { copies: m.copies })}
              required={m.required && !m.allowPending}
              error={fields?.[`file.${m.key}`]}
              kept={values.kept[m.key] ?? null}
            />
          ))}
        </fieldset>
      ) : (
        ''
      )}
      <button type="submit" class="button">
        {submitLabel}
      </button>
    </form>
  );
}
