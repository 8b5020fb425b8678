/**
 * The service guide (办事指南) of an item, with every element of the national standard for
 * guides: name, code and kind, legal basis, conditions and who may apply, where, when and whom
 * to call, the process drawn as a diagram, the materials with their blank forms and examples,
 * fees, time limits, 即办件/承诺件 and the frequent questions; and its public page.
 */
import Html, { type Children } from '@kitajs/html';
import type { FastifyInstance } from 'fastify';
import { type Static } from '@sinclair/typebox';
import { Id, Strict } from '../../../platform/http/index.ts';
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { renderPortal } from '../../../platform/console/index.ts';
import { attr, Notice, PageHeading, PageQueryFields, type ViewContext } from '../../../platform/views/index.ts';
import { getItemFor, getPublishedItemByCode, type Item } from '../queries/items.ts';
import { publicGuide, type PublicGuide } from '../catalogue-cache.ts';
import { unitNames } from './data.ts';
import { feeText, Paragraphs, ServiceNav } from './components.tsx';

const ItemParams = Strict({ id: Id });
const PlainQuery = Strict({ ...PageQueryFields });

/** Where a material's blank form or example is downloaded (the files module's download, public for published items). */
export const fileHref = (id: string) => `/api/v1/files/${encodeURIComponent(id)}`;

export function Guide({ ctx, item, units, headingLevel = 2 }: { ctx: ViewContext; item: Item; units: Map<string, string>; headingLevel?: 2 | 3 }) {
  const H = ({ id, children }: { id: string; children: Children }) => (headingLevel === 2 ? <h2 id={id}>{children}</h2> : <h3 id={id}>{children}</h3>);
  const g = (key: string, params?: Record<string, unknown>) => ctx.t(`page.approval.guide.${key}`, params);
  return (
    <div class="guide">
      <section class="panel" aria-labelledby="guide-basic">
        <H id="guide-basic">{g('basic')}</H>
        <dl class="stat-list guide-facts">
          <dt>{g('name')}</dt>
          <dd safe>{item.name}</dd>
          <dt>{g('code')}</dt>
          <dd>
            <span class="mono" safe>
              {item.code}
            </span>{' '}
            {g('version', { version: item.version })}
          </dd>
          <dt>{g('kind')}</dt>
          <dd>{ctx.t(`page.approval.kind.${item.kind}`)}</dd>
          <dt>{g('unit')}</dt>
          <dd safe>{units.get(item.unitId) ?? item.unitId}</dd>
          <dt>{g('targets')}</dt>
          <dd safe>{item.targets.map((t) => ctx.ta(`page.approval.guide.target.${t}`)).join(ctx.ta('page.approval.guide.listSeparator'))}</dd>
          <dt>{g('handlingType')}</dt>
          <dd>
            <span class={item.handlingType === 'instant' ? 'tag tag-ok' : 'tag'}>{g(`handling.${item.handlingType}`)}</span> {g(`handlingHint.${item.handlingType}`)}
          </dd>
          <dt>{g('statutoryDays')}</dt>
          <dd>{g('workingDays', { days: item.statutoryDays })}</dd>
          <dt>{g('promisedDays')}</dt>
          <dd>{item.handlingType === 'instant' ? g('instantDays') : g('workingDays', { days: item.promisedDays })}</dd>
          <dt>{g('result')}</dt>
          <dd safe>{item.resultName}</dd>
          <dt>{g('maxVisits')}</dt>
          <dd>{item.maxVisits === 0 ? g('noVisit') : g('visits', { count: item.maxVisits })}</dd>
          {item.themes.length ? (
            <>
              <dt>{g('themes')}</dt>
              <dd safe>{item.themes.join('、')}</dd>
            </>
          ) : (
            ''
          )}
          {item.lifeEvents.length ? (
            <>
              <dt>{g('lifeEvents')}</dt>
              <dd safe>{item.lifeEvents.join('、')}</dd>
            </>
          ) : (
            ''
          )}
        </dl>
      </section>
      <section class="panel" aria-labelledby="guide-where">
        <H id="guide-where">{g('where')}</H>
        <dl class="stat-list guide-facts">
          <dt>{g('place')}</dt>
          <dd safe>{item.place || ctx.ta('page.approval.guide.placeUnknown')}</dd>
          <dt>{g('hours')}</dt>
          <dd safe>{item.hours || ctx.ta('page.approval.guide.hoursUnknown')}</dd>
          <dt>{g('consultPhone')}</dt>
          <dd class="mono">
            <a href={`tel:${attr(item.consultPhone.replace(/[^0-9+]/g, ''))}`} safe>
              {item.consultPhone}
            </a>
          </dd>
          <dt>{g('complaintPhone')}</dt>
          <dd class="mono">
            <a href={`tel:${attr(item.complaintPhone.replace(/[^0-9+]/g, ''))}`} safe>
              {item.complaintPhone}
            </a>
          </dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="guide-basis">
        <H id="guide-basis">{g('legalBasis')}</H>
        <Paragraphs text={item.legalBasis} />
      </section>
      <section class="panel" aria-labelledby="guide-conditions">
        <H id="guide-conditions">{g('conditions')}</H>
        <Paragraphs text={item.conditions} />
      </section>
      <section class="panel" aria-labelledby="guide-process">
        <H id="guide-process">{g('process')}</H>
        <ProcessDiagram ctx={ctx} process={item.process} units={units} />
      </section>
      <section class="panel" aria-labelledby="guide-materials">
        <H id="guide-materials">{g('materials')}</H>
        {item.materials.length ? <MaterialList ctx={ctx} item={item} /> : <p class="muted">{g('noMaterials')}</p>}
      </section>
      <section class="panel" aria-labelledby="guide-fee">
        <H id="guide-fee">{g('fee')}</H>
        <p>{Html.escapeHtml(feeText(ctx, item.fee))}</p>
        {item.fee.basis ? (
          <p>
            {g('feeBasis')}
            <span safe>{item.fee.basis}</span>
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="panel" aria-labelledby="guide-faq">
        <H id="guide-faq">{g('faq')}</H>
        {item.faq.length ? (
          <div class="faq">
            {item.faq.map((f) => (
              <details>
                <summary safe>{f.question}</summary>
                <Paragraphs text={f.answer} />
              </details>
            ))}
          </div>
        ) : (
          <p class="muted">{g('noFaq')}</p>
        )}
      </section>
    </div>
  );
}

/** The materials as a list of cards (a wide table would scroll sideways on a phone), each with its downloads. */
function MaterialList({ ctx, item }: { ctx: ViewContext; item: Item }) {
  const g = (key: string, params?: Record<string, unknown>) => ctx.t(`page.approval.guide.${key}`, params);
  return (
    <>
      <p class="muted">{g('materialsCaption', { count: item.materials.length })}</p>
      <ol class="material-list">
        {item.materials.map((m) => (
          <li class="material">
            <p class="material-name">
              <strong safe>{m.name}</strong>{' '}
              <span class={m.required ? 'tag' : 'tag tag-off'}>{m.required ? g('requiredYes') : g('requiredNo')}</span>
            </p>
            {m.description ? (
              <p class="muted" safe>
                {m.description}
              </p>
            ) : (
              ''
            )}
            <p class="material-facts">
              {g('copiesN', { count: m.copies })}
              {m.allowPending ? <> · {g('pendingYes')}</> : ''}
            </p>
            {m.blankFileId || m.exampleFileId ? (
              <p class="material-files">
                {m.blankFileId ? (
                  <a href={attr(fileHref(m.blankFileId))} download="">
                    {g('blankForm')}
                    <span class="visually-hidden" safe>
                      {ctx.ta('page.approval.guide.ofMaterial', { name: m.name })}
                    </span>
                  </a>
                ) : (
                  ''
                )}
                {m.exampleFileId ? (
                  <a href={attr(fileHref(m.exampleFileId))} download="">
                    {g('example')}
                    <span class="visually-hidden" safe>
                      {ctx.ta('page.approval.guide.ofMaterial', { name: m.name })}
                    </span>
                  </a>
                ) : (
                  ''
                )}
              </p>
            ) : (
              ''
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * The process as a diagram in HTML and CSS: one box per stage, top to bottom with arrows between,
 * the steps of a joint review side by side. An ordered list underneath, so a screen reader reads
 * it as steps in order.
 */
export function ProcessDiagram({ ctx, process, units }: { ctx: ViewContext; process: Item['process']; units: Map<string, string> }) {
  return (
    <ol class="flow" aria-label={ctx.ta('page.approval.guide.processDiagram')}>
      <li class="flow-stage flow-end">
        <span class="flow-box flow-terminal">{ctx.t('page.approval.guide.flowStart')}</span>
      </li>
      {process.stages.map((stage, i) => {
        const steps = 'parallel' in stage ? stage.parallel : [stage];
        return (
          <li class="flow-stage">
            {'parallel' in stage ? <p class="flow-note">{ctx.t(stage.mode === 'any' ? 'page.approval.guide.parallelAny' : 'page.approval.guide.parallelAll', { count: steps.length })}</p> : ''}
            <ul class={'parallel' in stage ? 'flow-steps flow-parallel' : 'flow-steps'}>
              {steps.map((step) => (
                <li class="flow-box">
                  <span class="flow-no">{ctx.t('page.approval.guide.stageNo', { n: i + 1 })}</span>
                  <strong safe>{step.name}</strong>
                  <span safe>{units.get(step.unitId) ?? step.unitId}</span>
                  <span class="muted">{ctx.t('page.approval.guide.stepDays', { role: ctx.ta(`page.approval.role.${step.role}`), days: step.days })}</span>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
      <li class="flow-stage flow-end">
        <span class="flow-box flow-terminal">{ctx.t('page.approval.guide.flowEnd')}</span>
      </li>
    </ol>
  );
}

async function draftGuide(platform: Platform, viewer: Principal | null, id: string): Promise<PublicGuide> {
  const item = await getItemFor(platform.db, viewer, id);
  const units = await unitNames(platform.db, [item.unitId, ...item.process.stages.flatMap((s) => ('parallel' in s ? s.parallel : [s]).map((step) => step.unitId))]);
  return { item, current: await getPublishedItemByCode(platform.db, item.code), units };
}

export async function guidePages(app: FastifyInstance, platform: Platform) {
  app.get<{ Params: Static<typeof ItemParams>; Querystring: Static<typeof PlainQuery> }>('/services/items/:id', { schema: { params: ItemParams, querystring: PlainQuery }, config: { auth: 'public' } }, async (request, reply) => {
    // What anyone may read comes from the catalogue's cache; a draft only for whoever manages it.
    const { item, current, units } = (await publicGuide(platform, request.params.id)) ?? (await draftGuide(platform, request.principal, request.params.id));
    return renderPortal(request, reply, (ctx) => ({
      title: Html.escapeHtml(item.name),
      crumbs: [{ href: '/services', label: ctx.t('page.approval.hall.title') }, { label: Html.escapeHtml(item.name) }],
      body: (
        <>
          <PageHeading title={<span safe>{item.name}</span>} lead={ctx.t('page.approval.guide.lead')} />
          <ServiceNav ctx={ctx} />
          {item.status === 'published' ? (
            ''
          ) : (
            <Notice kind="warning" title={ctx.t(`page.approval.guide.status.${item.status}`)}>
              {current && current.id !== item.id ? (
                <p>
                  <a href={`/services/items/${attr(current.id)}`}>{ctx.t('page.approval.guide.toCurrent', { version: current.version })}</a>
                </p>
              ) : (
                <p>{ctx.t('page.approval.guide.notOpen')}</p>
              )}
            </Notice>
          )}
          <Guide ctx={ctx} item={item} units={units} />
          {/* After the guide and sticky at the bottom of the screen: 在线申请 stays in reach while reading. */}
          {item.status === 'published' ? (
            <p class="actions guide-apply">
              <a class="button" href={`/services/items/${attr(item.id)}/apply`}>
                {ctx.t('page.approval.hall.apply')}
              </a>
              {ctx.can('approval.intake') ? (
                <a class="button button-secondary" href={`/console/approval/intake/${attr(item.id)}`}>
                  {ctx.t('page.approval.intake.title')}
                </a>
              ) : (
                ''
              )}
            </p>
          ) : (
            ''
          )}
        </>
      ),
    }));
  });
}
