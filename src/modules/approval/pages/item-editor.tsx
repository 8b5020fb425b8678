/**
 * The item editor of the console with its form-based process editor. Rows are added and removed
 * by submit buttons (`op`), so the editor works without JavaScript; with htmx the form swaps only
 * itself.
 */
import Html from '@kitajs/html';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, renderMessage } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Unit } from '../../../platform/org/service.ts';
import { renderConsole } from '../../../platform/console/index.ts';
import { attempt, attr, Csrf, ErrorSummary, formText, redirect, SelectField, setFlash, TextField, type FieldMessages, type ViewContext } from '../../../platform/views/index.ts';
import { type Item } from '../queries/items.ts';
import { checkItem, normalizeInput } from '../item-checks.ts';
import { allUnits, catalogueUnits } from './data.ts';
import { applyOp, FIELD_TYPES, ITEM_KINDS, readEditor, readOp, STEP_ROLES, toItemInput, type EditorOp, type EditorValues } from './editor.ts';
import { Checkbox, itemsCrumb, TextArea } from './components.tsx';
import { Guide } from './guide.tsx';

/** htmx swaps only successful answers: a refused editor form is answered 200 to it, with its status to everyone else. */
const statusFor = (request: FastifyRequest, status: number) => (request.headers['hx-request'] ? 200 : status);

export interface EditorState {
  values: EditorValues;
  editVersion?: number;
  fields?: FieldMessages;
  summary?: string;
  preview?: Item | null;
  /** The input to focus after a row was added. */
  focus?: string;
  status?: number;
}

export interface EditorContext {
  action: string;
  units: Unit[];
  ownUnits: Unit[];
  /** A later version keeps the code of the first. */
  codeFixed: boolean;
}

export function unitOptions(units: Unit[], current: string) {
  const options = units.map((u) => ({ value: u.id, label: u.name }));
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: current });
  return options;
}

function RowButton({ op, label, variant }: { op: string; label: string; variant?: 'danger' | 'secondary' }) {
  return (
    <button type="submit" name="op" value={attr(op)} class={`button button-${variant ?? 'secondary'} button-small`} formnovalidate>
      {Html.escapeHtml(label)}
    </button>
  );
}

function Editor({ ctx, state, editor }: { ctx: ViewContext; state: EditorState; editor: EditorContext }) {
  const v = state.values;
  const f = state.fields ?? {};
  const form = 'item';
  const t = (key: string, params?: Record<string, unknown>) => ctx.ta(`page.approval.editor.${key}`, params);
  const tt = (key: string, params?: Record<string, unknown>) => ctx.t(`page.approval.editor.${key}`, params);
  const labels = editorLabels(ctx, v);
  const focus = (name: string) => state.focus === name;
  return (
    <div id="editor">
      <ErrorSummary ctx={ctx} form={form} summary={state.summary} fields={state.fields} labels={labels} />
      <form method="post" action={attr(editor.action)} class="form form-wide" novalidate data-hx-post={attr(editor.action)} data-hx-target="#editor" data-hx-select="#editor" data-hx-swap="outerHTML">
        <Csrf ctx={ctx} />
        {/* Enter in a text field submits with the first button: let it be Save, not a row button. */}
        <button type="submit" name="op" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">
          {ctx.t('page.approval.editor.save')}
        </button>
        {state.editVersion ? <input type="hidden" name="editVersion" value={String(state.editVersion)} /> : ''}
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.basic')}</legend>
          <div class="form-row">
            <TextField ctx={ctx} form={form} name="name" label={labels.name} value={v.name} error={f.name} maxlength={200} required size="long" />
            <TextField ctx={ctx} form={form} name="code" label={labels.code} hint={editor.codeFixed ? t('codeFixedHint') : t('codeHint')} value={v.code} error={f.code} maxlength={40} size="medium" />
          </div>
          <div class="form-row">
            <SelectField ctx={ctx} form={form} name="kind" label={labels.kind} value={v.kind} error={f.kind} options={ITEM_KINDS.map((k) => ({ value: k, label: ctx.ta(`page.approval.kind.${k}`) }))} required />
            <SelectField ctx={ctx} form={form} name="unitId" label={labels.unitId} value={v.unitId} error={f.unitId} options={unitOptions(editor.ownUnits, v.unitId)} placeholder={t('chooseUnit')} required />
          </div>
          <TextField ctx={ctx} form={form} name="resultName" label={labels.resultName} hint={t('resultHint')} value={v.resultName} error={f.resultName} maxlength={200} required size="long" />
          <div class="form-row">
            <TextField ctx={ctx} form={form} name="statutoryDays" label={labels.statutoryDays} value={v.statutoryDays} error={f.statutoryDays} inputmode="numeric" maxlength={3} required size="short" />
            <TextField ctx={ctx} form={form} name="promisedDays" label={labels.promisedDays} hint={t('promisedHint')} value={v.promisedDays} error={f.promisedDays} inputmode="numeric" maxlength={3} required size="short" />
            <TextField ctx={ctx} form={form} name="maxVisits" label={labels.maxVisits} hint={t('visitsHint')} value={v.maxVisits} error={f.maxVisits} inputmode="numeric" maxlength={2} required size="short" />
          </div>
          <div class="form-row">
            <TextField ctx={ctx} form={form} name="consultPhone" type="tel" label={labels.consultPhone} value={v.consultPhone} error={f.consultPhone} maxlength={30} required size="medium" />
            <TextField ctx={ctx} form={form} name="complaintPhone" type="tel" label={labels.complaintPhone} value={v.complaintPhone} error={f.complaintPhone} maxlength={30} required size="medium" />
          </div>
          <div class="form-row">
            <TextField ctx={ctx} form={form} name="themes" label={labels.themes} hint={t('listHint')} value={v.themes} error={f.themes} maxlength={1000} size="long" />
            <TextField ctx={ctx} form={form} name="lifeEvents" label={labels.lifeEvents} hint={t('listHint')} value={v.lifeEvents} error={f.lifeEvents} maxlength={1000} size="long" />
          </div>
          <fieldset id={`${form}-targets`} aria-describedby={f.targets ? `${form}-targets-error` : undefined}>
            <legend class="fieldset-legend">{ctx.t('page.approval.guide.targets')}</legend>
            <input type="hidden" name="targets" value="shown" />
            {f.targets ? (
              <p class="field-error" id={`${form}-targets-error`} safe>
                {f.targets}
              </p>
            ) : (
              ''
            )}
            <div class="form-row">
              <Checkbox form={form} name="targets.person" label={labels['targets.person']} checked={v.targetPerson} />
              <Checkbox form={form} name="targets.enterprise" label={labels['targets.enterprise']} checked={v.targetEnterprise} />
            </div>
          </fieldset>
          <div class="form-row">
            <SelectField
              ctx={ctx}
              form={form}
              name="handlingType"
              label={labels.handlingType}
              value={v.handlingType}
              error={f.handlingType}
              options={[
                { value: 'promised', label: ctx.ta('page.approval.guide.handling.promised') },
                { value: 'instant', label: ctx.ta('page.approval.guide.handling.instant') },
              ]}
            />
          </div>
          <TextField ctx={ctx} form={form} name="place" label={labels.place} value={v.place} error={f.place} maxlength={500} size="long" />
          <TextField ctx={ctx} form={form} name="hours" label={labels.hours} value={v.hours} error={f.hours} maxlength={300} size="long" />
        </fieldset>
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.basisAndConditions')}</legend>
          <TextArea ctx={ctx} form={form} name="legalBasis" label={labels.legalBasis} value={v.legalBasis} error={f.legalBasis} maxlength={5000} required />
          <TextArea ctx={ctx} form={form} name="conditions" label={labels.conditions} value={v.conditions} error={f.conditions} maxlength={5000} required />
          <TextArea ctx={ctx} form={form} name="faq" label={labels.faq} hint={t('faqHint')} value={v.faq} error={f.faq} maxlength={20000} rows={6} />
        </fieldset>
        <fieldset class="panel">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.fee')}</legend>
          <div class="form-row">
            <SelectField
              ctx={ctx}
              form={form}
              name="fee.charged"
              label={labels['fee.charged']}
              value={v.feeCharged ? 'yes' : 'no'}
              error={f['fee.charged']}
              options={[
                { value: 'no', label: ctx.ta('page.approval.guide.free') },
                { value: 'yes', label: t('charged') },
              ]}
            />
            <TextField ctx={ctx} form={form} name="fee.amount" label={labels['fee.amount']} hint={t('amountHint')} value={v.feeAmount} error={f['fee.amount']} inputmode="decimal" maxlength={12} size="short" />
          </div>
          <TextField ctx={ctx} form={form} name="fee.basis" label={labels['fee.basis']} value={v.feeBasis} error={f['fee.basis']} maxlength={500} size="long" />
        </fieldset>
        <fieldset class="panel" id="item-materials">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.materials')}</legend>
          {f.materials ? (
            <p class="field-error" safe>
              {f.materials}
            </p>
          ) : (
            ''
          )}
          {v.materials.map((m, i) => {
            const p = `materials.${i}`;
            return (
              <fieldset class="panel">
                <legend class="fieldset-legend">{tt('materialN', { n: i + 1 })}</legend>
                <div class="form-row">
                  <TextField ctx={ctx} form={form} name={`${p}.name`} label={labels[`${p}.name`]} value={m.name} error={f[`${p}.name`]} maxlength={200} required size="long" autofocus={focus(`${p}.name`)} />
                  <TextField ctx={ctx} form={form} name={`${p}.key`} label={labels[`${p}.key`]} hint={t('keyHint')} value={m.key} error={f[`${p}.key`]} maxlength={40} required size="medium" />
                  <TextField ctx={ctx} form={form} name={`${p}.copies`} label={labels[`${p}.copies`]} value={m.copies} error={f[`${p}.copies`]} inputmode="numeric" maxlength={2} size="short" />
                </div>
                <div class="form-row">
                  <Checkbox form={form} name={`${p}.required`} label={labels[`${p}.required`]} checked={m.required} error={f[`${p}.required`]} />
                  <Checkbox form={form} name={`${p}.allowPending`} label={labels[`${p}.allowPending`]} hint={t('pendingHint')} checked={m.allowPending} error={f[`${p}.allowPending`]} />
                </div>
                <TextField ctx={ctx} form={form} name={`${p}.description`} label={labels[`${p}.description`]} value={m.description} error={f[`${p}.description`]} maxlength={1000} size="long" />
                {m.blankFileId ? <input type="hidden" name={`${p}.blankFileId`} value={attr(m.blankFileId)} /> : ''}
                {m.exampleFileId ? <input type="hidden" name={`${p}.exampleFileId`} value={attr(m.exampleFileId)} /> : ''}
                <RowButton op={`remove-material:${i}`} label={t('removeMaterial', { n: i + 1 })} variant="danger" />
              </fieldset>
            );
          })}
          <RowButton op="add-material" label={t('addMaterial')} />
        </fieldset>
        <fieldset class="panel" id="item-formFields">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.formFields')}</legend>
          <p class="field-hint">{ctx.t('page.approval.editor.formFieldsHint')}</p>
          {v.formFields.map((field, i) => {
            const p = `formFields.${i}`;
            return (
              <fieldset class="panel">
                <legend class="fieldset-legend">{tt('fieldN', { n: i + 1 })}</legend>
                <div class="form-row">
                  <TextField ctx={ctx} form={form} name={`${p}.label`} label={labels[`${p}.label`]} value={field.label} error={f[`${p}.label`]} maxlength={100} required size="medium" autofocus={focus(`${p}.label`)} />
                  <TextField ctx={ctx} form={form} name={`${p}.key`} label={labels[`${p}.key`]} hint={t('fieldKeyHint')} value={field.key} error={f[`${p}.key`]} maxlength={40} required size="medium" />
                  <SelectField ctx={ctx} form={form} name={`${p}.type`} label={labels[`${p}.type`]} value={field.type} error={f[`${p}.type`]} options={FIELD_TYPES.map((k) => ({ value: k, label: t(`type.${k}`) }))} />
                </div>
                <Checkbox form={form} name={`${p}.required`} label={labels[`${p}.required`]} checked={field.required} />
                <TextField ctx={ctx} form={form} name={`${p}.options`} label={labels[`${p}.options`]} hint={t('optionsHint')} value={field.options} error={f[`${p}.options`]} maxlength={2000} size="long" />
                <RowButton op={`remove-field:${i}`} label={t('removeField', { n: i + 1 })} variant="danger" />
              </fieldset>
            );
          })}
          <RowButton op="add-field" label={t('addField')} />
        </fieldset>
        <fieldset class="panel" id="item-process.stages">
          <legend class="fieldset-legend">{ctx.t('page.approval.editor.process')}</legend>
          <p class="field-hint">{ctx.t('page.approval.editor.processHint')}</p>
          {f['process.stages'] ? (
            <p class="field-error" safe>
              {f['process.stages']}
            </p>
          ) : (
            ''
          )}
          <ol class="role-list">
            {v.stages.map((stage, i) => (
              <li>
                <fieldset class="panel" id={`item-process.stages.${i}`}>
                  <legend class="fieldset-legend">{stage.steps.length > 1 ? tt('stageParallel', { n: i + 1, count: stage.steps.length }) : tt('stageN', { n: i + 1 })}</legend>
                  {f[`process.stages.${i}`] ? (
                    <p class="field-error" safe>
                      {f[`process.stages.${i}`]}
                    </p>
                  ) : (
                    ''
                  )}
                  {stage.steps.length > 1 ? (
                    <SelectField
                      ctx={ctx}
                      form={form}
                      name={`process.stages.${i}.mode`}
                      label={labels[`process.stages.${i}.mode`]}
                      value={stage.mode}
                      options={[
                        { value: 'all', label: t('modeAll') },
                        { value: 'any', label: t('modeAny') },
                      ]}
                    />
                  ) : (
                    ''
                  )}
                  {stage.steps.map((step, j) => {
                    const p = `process.stages.${i}.parallel.${j}`;
                    return (
                      <fieldset class="panel">
                        <legend class="fieldset-legend">{tt('stepN', { stage: i + 1, n: j + 1 })}</legend>
                        <div class="form-row">
                          <TextField ctx={ctx} form={form} name={`${p}.name`} label={labels[`${p}.name`]} value={step.name} error={f[`${p}.name`]} maxlength={100} required size="medium" autofocus={focus(`${p}.name`)} />
                          <TextField ctx={ctx} form={form} name={`${p}.key`} label={labels[`${p}.key`]} hint={t('keyHint')} value={step.key} error={f[`${p}.key`]} maxlength={40} required size="medium" />
                        </div>
                        <div class="form-row">
                          <SelectField ctx={ctx} form={form} name={`${p}.unitId`} label={labels[`${p}.unitId`]} value={step.unitId} error={f[`${p}.unitId`]} options={unitOptions(editor.units, step.unitId)} placeholder={t('chooseUnit')} required />
                          <SelectField ctx={ctx} form={form} name={`${p}.role`} label={labels[`${p}.role`]} value={step.role} error={f[`${p}.role`]} options={STEP_ROLES.map((r) => ({ value: r, label: ctx.ta(`page.approval.role.${r}`) }))} required />
                          <TextField ctx={ctx} form={form} name={`${p}.days`} label={labels[`${p}.days`]} value={step.days} error={f[`${p}.days`]} inputmode="numeric" maxlength={3} required size="short" />
                        </div>
                        {stage.steps.length > 1 || v.stages.length > 1 ? <RowButton op={`remove-step:${i}.${j}`} label={t('removeStep', { stage: i + 1, n: j + 1 })} variant="danger" /> : ''}
                      </fieldset>
                    );
                  })}
                  <ul class="actions">
                    <li>
                      <RowButton op={`add-step:${i}`} label={t('addStep', { n: i + 1 })} />
                    </li>
                    {v.stages.length > 1 ? (
                      <li>
                        <RowButton op={`remove-stage:${i}`} label={t('removeStage', { n: i + 1 })} variant="danger" />
                      </li>
                    ) : (
                      ''
                    )}
                  </ul>
                </fieldset>
              </li>
            ))}
          </ol>
          <RowButton op="add-stage" label={t('addStage')} />
        </fieldset>
        <ul class="actions">
          <li>
            <button type="submit" name="op" value="save" class="button">
              {ctx.t('page.approval.editor.save')}
            </button>
          </li>
          <li>
            <button type="submit" name="op" value="preview" class="button button-secondary">
              {ctx.t('page.approval.editor.preview')}
            </button>
          </li>
        </ul>
      </form>
      {state.preview ? (
        <section class="panel" aria-labelledby="preview-title" id="preview">
          <h2 id="preview-title">{ctx.t('page.approval.editor.previewTitle')}</h2>
          <Guide ctx={ctx} item={state.preview} units={new Map(editor.units.map((u) => [u.id, u.name]))} headingLevel={3} />
        </section>
      ) : (
        ''
      )}
    </div>
  );
}

/** Names of the editor's inputs for the error summary, rows numbered as on screen. */
function editorLabels(ctx: ViewContext, v: EditorValues): Record<string, string> {
  const t = (key: string, params?: Record<string, unknown>) => ctx.ta(`page.approval.editor.${key}`, params);
  const labels: Record<string, string> = {
    name: ctx.ta('page.approval.guide.name'),
    code: ctx.ta('page.approval.guide.code'),
    kind: ctx.ta('page.approval.guide.kind'),
    unitId: ctx.ta('page.approval.guide.unit'),
    resultName: ctx.ta('page.approval.guide.result'),
    statutoryDays: t('statutoryDays'),
    promisedDays: t('promisedDays'),
    maxVisits: ctx.ta('page.approval.guide.maxVisits'),
    consultPhone: ctx.ta('page.approval.guide.consultPhone'),
    complaintPhone: ctx.ta('page.approval.guide.complaintPhone'),
    themes: ctx.ta('page.approval.guide.themes'),
    lifeEvents: ctx.ta('page.approval.guide.lifeEvents'),
    targets: ctx.ta('page.approval.guide.targets'),
    'targets.person': ctx.ta('page.approval.guide.target.person'),
    'targets.enterprise': ctx.ta('page.approval.guide.target.enterprise'),
    handlingType: ctx.ta('page.approval.guide.handlingType'),
    place: ctx.ta('page.approval.guide.place'),
    hours: ctx.ta('page.approval.guide.hours'),
    faq: ctx.ta('page.approval.guide.faq'),
    legalBasis: ctx.ta('page.approval.guide.legalBasis'),
    conditions: ctx.ta('page.approval.guide.conditions'),
    'fee.charged': ctx.ta('page.approval.guide.fee'),
    'fee.amount': t('amount'),
    'fee.basis': t('feeBasis'),
  };
  v.materials.forEach((_, i) => {
    const p = `materials.${i}`;
    const n = i + 1;
    labels[`${p}.name`] = t('materialName', { n });
    labels[`${p}.key`] = t('materialKey', { n });
    labels[`${p}.copies`] = t('materialCopies', { n });
    labels[`${p}.required`] = t('materialRequired', { n });
    labels[`${p}.allowPending`] = t('materialPending', { n });
    labels[`${p}.description`] = t('materialDescription', { n });
  });
  v.formFields.forEach((_, i) => {
    const p = `formFields.${i}`;
    const n = i + 1;
    labels[`${p}.label`] = t('fieldLabel', { n });
    labels[`${p}.key`] = t('fieldKey', { n });
    labels[`${p}.type`] = t('fieldType', { n });
    labels[`${p}.required`] = t('fieldRequired', { n });
    labels[`${p}.options`] = t('fieldOptions', { n });
  });
  v.stages.forEach((stage, i) => {
    labels[`process.stages.${i}.mode`] = t('stageMode', { n: i + 1 });
    stage.steps.forEach((_, j) => {
      const p = `process.stages.${i}.parallel.${j}`;
      const params = { stage: i + 1, n: j + 1 };
      labels[`${p}.name`] = t('stepName', params);
      labels[`${p}.key`] = t('stepKey', params);
      labels[`${p}.unitId`] = t('stepUnit', params);
      labels[`${p}.role`] = t('stepRole', params);
      labels[`${p}.days`] = t('stepDays', params);
    });
  });
  return labels;
}

/** The input to focus after `op` added a row. */
function focusAfter(op: EditorOp, v: EditorValues): string | undefined {
  if (op.type === 'add-material') return `materials.${v.materials.length - 1}.name`;
  if (op.type === 'add-field') return `formFields.${v.formFields.length - 1}.label`;
  if (op.type === 'add-stage') return `process.stages.${v.stages.length - 1}.parallel.0.name`;
  if (op.type === 'add-step') return `process.stages.${op.stage}.parallel.${(v.stages[op.stage]?.steps.length ?? 1) - 1}.name`;
  return undefined;
}

/** The guide as it would read, from an input not saved yet. */
function previewItem(input: ReturnType<typeof normalizeInput>, base: { id: string; code: string; version: number } | null): Item {
  const now = new Date();
  return {
    id: base?.id ?? 'preview',
    code: input.code ?? base?.code ?? '—',
    version: base?.version ?? 1,
    status: 'draft',
    name: input.name,
    kind: input.kind,
    unitId: input.unitId,
    legalBasis: input.legalBasis,
    conditions: input.conditions,
    materials: input.materials,
    statutoryDays: input.statutoryDays,
    promisedDays: input.promisedDays,
    fee: input.fee,
    resultName: input.resultName,
    maxVisits: input.maxVisits,
    consultPhone: input.consultPhone,
    complaintPhone: input.complaintPhone,
    process: input.process,
    formFields: input.formFields ?? [],
    themes: input.themes ?? [],
    lifeEvents: input.lifeEvents ?? [],
    targets: input.targets ?? ['person', 'enterprise'],
    place: input.place ?? '',
    hours: input.hours ?? '',
    handlingType: input.handlingType ?? 'promised',
    faq: input.faq ?? [],
    createdAt: now,
    updatedAt: now,
    publishedAt: null,
    editVersion: 1,
  };
}

export async function editorContext(platform: Platform, request: FastifyRequest, action: string, codeFixed: boolean): Promise<EditorContext> {
  const units = await allUnits(platform.db);
  return { action, units, ownUnits: await catalogueUnits(platform.db, request.principal!, units), codeFixed };
}

export function renderEditor(platform: Platform, request: FastifyRequest, reply: FastifyReply, editor: EditorContext, state: EditorState, item: Item | null) {
  return renderConsole(platform, request, reply, (ctx) => ({
    title: item ? ctx.t('page.approval.editor.editTitle', { name: item.name, version: item.version }) : ctx.t('page.approval.editor.newTitle'),
    lead: ctx.t('page.approval.editor.lead'),
    crumbs: item ? [itemsCrumb(ctx), { href: `/console/approval/items/${item.id}`, label: Html.escapeHtml(item.name) }, { label: ctx.t('page.approval.editor.edit') }] : [itemsCrumb(ctx), { label: ctx.t('page.approval.editor.newTitle') }],
    status: state.status,
    body: <Editor ctx={ctx} state={state} editor={editor} />,
  }));
}

/**
 * Handles one post of the editor: a row operation re-renders the form; preview checks without
 * saving and shows the guide; save runs `save` and goes to the item page.
 */
export async function handleEditor(platform: Platform, request: FastifyRequest, reply: FastifyReply, editor: EditorContext, item: Item | null, save: (input: NonNullable<ReturnType<typeof toItemInput>['input']>, editVersion?: number) => Promise<Item>) {
  const lang = request.lang;
  const body = request.body as Record<string, string | string[]>;
  const op = readOp(formText(body, 'op'));
  const editVersion = Number(formText(body, 'editVersion')) || undefined;
  const values = applyOp(readEditor(body), op);
  if (op.type !== 'save' && op.type !== 'preview') return renderEditor(platform, request, reply, editor, { values, editVersion, focus: focusAfter(op, values) }, item);

  const converted = toItemInput(values);
  const messages = (errors: Array<{ path: string; message: Parameters<typeof renderMessage>[0] }>, fieldOf: (p: string) => string) => {
    const fields: FieldMessages = {};
    for (const e of errors) {
      const name = fieldOf(e.path.replace(/^body\./, ''));
      const message = renderMessage(e.message, lang);
      fields[name] = fields[name] ? `${fields[name]}；${message}` : message;
    }
    return fields;
  };
  if (!converted.input) {
    return renderEditor(platform, request, reply, editor, { values, editVersion, fields: messages(converted.errors, (p) => p), status: statusFor(request, 400) }, item);
  }
  if (op.type === 'preview') {
    const normalized = normalizeInput(converted.input);
    const problems = await checkItem(platform.db, request.principal, normalized);
    return renderEditor(
      platform,
      request,
      reply,
      editor,
      { values, editVersion, fields: messages(problems, converted.fieldOf), summary: problems.length ? new AppError('VALIDATION_FAILED').toProblem(lang).detail : undefined, preview: previewItem(normalized, item), status: 200 },
      item,
    );
  }
  const result = await attempt(lang, () => save(converted.input!, editVersion));
  if (!result.ok) {
    const summary = result.error.code === 'CONFLICT' ? ctxText(lang, 'page.approval.editor.conflict') : result.summary;
    return renderEditor(platform, request, reply, editor, { values, editVersion, fields: messages(result.error.fieldErrors ?? [], converted.fieldOf), summary, status: statusFor(request, result.error.status) }, item);
  }
  setFlash(reply, { kind: 'success', key: 'flash.approval.itemSaved', params: { name: result.value.name, version: result.value.version } });
  return redirect(reply, `/console/approval/items/${result.value.id}`);
}

const ctxText = (lang: FastifyRequest['lang'], key: string) => renderMessage({ key }, lang);
