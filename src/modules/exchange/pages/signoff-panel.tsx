/**
 * The sign-off of a document on its page: every opinion so far, the steps waiting, and — for
 * whoever holds an open step — the form to agree or return it to the drafter with an opinion
 * (POST /console/exchange/documents/:id/signoff). The document's view page includes it.
 */
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { mayHandle } from '../../../platform/flow/service.ts';
import { getUnits } from '../../../platform/org/service.ts';
import { displayNames } from '../../../platform/iam/holders.ts';
import { attr, Csrf, DataTable, EmptyRow, formatDateTime, type ViewContext } from '../../../platform/views/index.ts';
import { getDocumentRow, signoffHistory, signoffProcess, type OpenSignoffStep, type SignoffEntry } from '../queries/documents.ts';
import { MAX_OPINION } from '../commands/decide-step.ts';

export interface SignoffPanelData {
  documentId: string;
  history: SignoffEntry[];
  open: OpenSignoffStep[];
  /** The open step the caller may decide (not 拟稿: the drafter submits from the document). */
  mine: OpenSignoffStep | null;
  /** Names of the units of the steps. */
  unitNames: Map<string, string>;
}

/** What the panel shows for one document and caller; the caller's access to the document is checked by the page. */
export async function signoffPanelData(platform: Platform, principal: Principal, documentId: string): Promise<SignoffPanelData> {
  const row = await getDocumentRow(platform.db, documentId);
  const signoff = signoffHistory(row ? await signoffProcess(platform.db, documentId, platform.clock.now()) : null);
  const { open } = signoff;
  // The process keeps the account name of whoever acted; the page names the person.
  const people = await displayNames(platform.db, [...new Set(signoff.history.flatMap((h) => (h.by ? [h.by] : [])))]);
  const history = signoff.history.map((h) => ({ ...h, byName: (h.by && people.get(h.by)) || h.byName }));
  const mine = open.find((step) => step.stepKey !== 'draft' && mayHandle(principal, { role: step.role, unit_id: step.unitId, unit_region: '', assignee: null })) ?? null;
  const ids = [...new Set([...history.map((h) => h.unitId), ...open.map((o) => o.unitId)].filter((id): id is string => !!id))];
  const unitNames = new Map((await getUnits(platform.db, ids)).map((u) => [u.id, u.name]));
  return { documentId, history, open, mine, unitNames };
}

const stepLabel = (ctx: ViewContext, kind: string, unitId: string | null, names: Map<string, string>) => (
  <>
    {ctx.t(`exchange.step.${kind}`)}
    {kind === 'countersign' && unitId && names.has(unitId) ? <span class="muted" safe>{` · ${names.get(unitId)}`}</span> : ''}
  </>
);

export function SignoffPanel({ ctx, data, error }: { ctx: ViewContext; data: SignoffPanelData; error?: string }) {
  const actionKey = (entry: SignoffEntry) => (entry.stepKind === 'draft' ? 'exchange.action.submit' : `exchange.action.${entry.action}`);
  return (
    <section class="panel" aria-labelledby="signoff-title" id="signoff">
      <h2 id="signoff-title">{ctx.t('page.exchange.signoff.title')}</h2>
      <DataTable
        id="signoff-history"
        caption={ctx.t('page.exchange.signoff.title')}
        head={[ctx.t('page.exchange.signoff.col.step'), ctx.t('page.exchange.signoff.col.action'), ctx.t('page.exchange.signoff.col.opinion'), ctx.t('page.exchange.signoff.col.by'), ctx.t('page.exchange.signoff.col.at')]}
      >
        {data.history.length ? (
          data.history.map((entry) => (
            <tr>
              <td>{stepLabel(ctx, entry.stepKind, entry.unitId, data.unitNames)}</td>
              <td>{ctx.t(actionKey(entry))}</td>
              <td safe>{entry.opinion ?? ''}</td>
              <td safe>{entry.byName ?? ''}</td>
              <td safe>{formatDateTime(entry.at, ctx.lang)}</td>
            </tr>
          ))
        ) : (
          <EmptyRow columns={5}>{ctx.t('page.exchange.signoff.empty')}</EmptyRow>
        )}
      </DataTable>
      {data.open.length ? (
        <ul class="summary-list">
          {data.open.map((step) => (
            <li>{ctx.t('page.exchange.signoff.waiting', { step: ctx.ta(`exchange.step.${step.stepKind}`) + (step.stepKind === 'countersign' && data.unitNames.has(step.unitId) ? ` · ${data.unitNames.get(step.unitId)}` : ''), dueDate: step.dueDate })}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {data.mine ? (
        <form method="post" action={attr(`/console/exchange/documents/${data.documentId}/signoff`)} class="form" novalidate>
          <Csrf ctx={ctx} />
          <input type="hidden" name="taskId" value={attr(data.mine.taskId)} />
          <h3>{ctx.t('page.exchange.signoff.decide', { step: ctx.ta(`exchange.step.${data.mine.stepKind}`) })}</h3>
          <div class={['field', error ? 'field-invalid' : '']}>
            <label for="signoff-opinion">{ctx.t('page.exchange.field.opinion')}</label>
            {error ? (
              <p class="field-error" id="signoff-opinion-error" safe>
                {error}
              </p>
            ) : (
              ''
            )}
            <textarea class="input input-long" id="signoff-opinion" name="opinion" rows="3" maxlength={MAX_OPINION} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'signoff-opinion-error' : undefined}></textarea>
          </div>
          <div class="actions">
            <button type="submit" class="button" name="action" value="approve">
              {ctx.t('page.exchange.signoff.approve')}
            </button>
            <button type="submit" class="button button-secondary" name="action" value="return">
              {ctx.t('page.exchange.signoff.return')}
            </button>
          </div>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}
