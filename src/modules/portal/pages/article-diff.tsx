/**
 * What changed between two revisions of an article, for its editors and reviewers: the one-line
 * fields before and after, keywords, attachments, and the body line by line (removed lines struck
 * through, added ones marked), readable without colour.
 */
import type { Platform } from '../../../platform/module.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { DataTable, type ViewContext } from '../../../platform/views/index.ts';
import { diffRevisions } from '../queries/articles.ts';

export type RevisionDiff = Awaited<ReturnType<typeof diffRevisions>>;

export const diffPage = (platform: Platform, principal: Principal, id: string, from: number, to: number): Promise<RevisionDiff> => diffRevisions(platform.db, principal, id, from, to);

/** Unchanged lines kept around a change; longer unchanged stretches are folded. */
const CONTEXT = 2;

export function DiffView({ ctx, diff }: { ctx: ViewContext; diff: RevisionDiff }) {
  const changedLines = diff.body.some((l) => l.op !== 'equal');
  const shown = diff.body.map((line, i) => line.op !== 'equal' || diff.body.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.op !== 'equal'));
  const nothing = !diff.fields.length && !diff.keywords.changed && !diff.attachments.changed && !changedLines;
  return (
    <>
      {nothing ? <p>{ctx.t('page.portalAdmin.diff.nothing')}</p> : ''}
      {diff.fields.length || diff.keywords.changed ? (
        <DataTable id="diff-fields" caption={ctx.t('page.portalAdmin.diff.fields')} head={[ctx.t('page.portalAdmin.diff.field'), ctx.t('page.portalAdmin.diff.before'), ctx.t('page.portalAdmin.diff.after')]}>
          {diff.fields.map((f) => (
            <tr>
              <td>{ctx.t(`page.portalAdmin.article.field.${f.field}`)}</td>
              <td safe>{f.before ?? ''}</td>
              <td safe>{f.after ?? ''}</td>
            </tr>
          ))}
          {diff.keywords.changed ? (
            <tr>
              <td>{ctx.t('page.portalAdmin.article.field.keywords')}</td>
              <td safe>{diff.keywords.before.join('，')}</td>
              <td safe>{diff.keywords.after.join('，')}</td>
            </tr>
          ) : (
            ''
          )}
        </DataTable>
      ) : (
        ''
      )}
      {diff.attachments.changed ? <p>{ctx.t('page.portalAdmin.diff.attachments', { before: diff.attachments.before.length, after: diff.attachments.after.length })}</p> : ''}
      {changedLines ? (
        <section class="panel" aria-labelledby="diff-body-title">
          <h2 id="diff-body-title">{ctx.t('page.portalAdmin.diff.body')}</h2>
          <ol class="line-diff">
            {diff.body.map((line, i) =>
              !shown[i] ? (
                i > 0 && shown[i - 1] ? <li class="line-diff-fold">…</li> : ''
              ) : line.op === 'add' ? (
                <li class="line-diff-add">
                  <span class="visually-hidden">{ctx.t('page.portalAdmin.diff.added')}</span>
                  <ins safe>{line.text || ' '}</ins>
                </li>
              ) : line.op === 'remove' ? (
                <li class="line-diff-remove">
                  <span class="visually-hidden">{ctx.t('page.portalAdmin.diff.removed')}</span>
                  <del safe>{line.text || ' '}</del>
                </li>
              ) : (
                <li safe>{line.text || ' '}</li>
              ),
            )}
          </ol>
        </section>
      ) : (
        ''
      )}
    </>
  );
}
