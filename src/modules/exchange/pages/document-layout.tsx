/**
 * An official document laid out in HTML as GB/T 9704-2012 lays it out on paper: the elements at
 * the top left, the red mark and the number over the red line, the title, the main recipients,
 * the body, the attachments, the signature and date under the seal, notes, and the record (cc,
 * printing unit and date) between its rules. Styles: `.official-doc` in app.css; it reflows on a
 * narrow screen. Reused wherever a document is shown (the view page, a receipt in the inbox).
 */
import type { ViewContext } from '../../../platform/views/index.ts';
import { attr } from '../../../platform/views/index.ts';
import { richTextBlocks, sealArc, starPoints, writtenDate, type Block, type OfficialLayout } from '../../../platform/documents/index.ts';

export interface OfficialDocumentHtml extends Omit<OfficialLayout, 'seal' | 'meta' | 'attachments'> {
  /** The attachments' names, each with its download address when the reader may have it. */
  attachments: Array<{ name: string; href?: string | null }>;
  /** The seal: a PNG, a seal drawn with the unit's name, or the seal position only (not yet signed off). */
  seal: { image: Buffer } | { name: string } | null;
}

const RED = '#c8161d';

function DrawnSeal({ name, label }: { name: string; label: string }) {
  const arc = sealArc(name, 100);
  const star = starPoints(50, 50, 15)
    .map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`)
    .join(' ');
  return (
    <svg class="od-seal-drawn" viewBox="0 0 100 100" role="img" aria-label={attr(label)} focusable="false">
      <circle cx="50" cy="50" r="48.25" fill="none" stroke={RED} stroke-width="3.5" />
      <polygon points={star} fill={RED} />
      {Array.from(name).map((ch, i) => (
        <text x="50" y={(50 - arc.radius).toFixed(2)} transform={`rotate(${arc.angles[i].toFixed(2)} 50 50)`} text-anchor="middle" dominant-baseline="central" font-size={arc.size.toFixed(2)} font-weight="700" fill={RED} safe>
          {ch}
        </text>
      ))}
    </svg>
  );
}

function Seal({ ctx, seal }: { ctx: ViewContext; seal: OfficialDocumentHtml['seal'] }) {
  if (!seal) return <span class="od-seal od-seal-empty">{ctx.t('page.exchange.view.sealPosition')}</span>;
  if ('image' in seal) {
    return (
      <span class="od-seal" aria-hidden="true">
        <img src={`data:image/png;base64,${seal.image.toString('base64')}`} alt="" />
      </span>
    );
  }
  return (
    <span class="od-seal">
      <DrawnSeal name={seal.name} label={ctx.ta('page.exchange.view.sealOf', { name: seal.name })} />
    </span>
  );
}

function BodyBlock({ block }: { block: Block }) {
  const cls = block.kind === 'heading' ? `od-h od-h${block.level}` : block.kind === 'item' ? 'od-item' : 'od-p';
  return (
    <p class={cls}>
      {block.marker ? <span class="od-marker" safe>{block.marker}</span> : ''}
      {block.runs.map((run) => (run.strong ? <strong safe>{run.text}</strong> : <span safe>{run.text}</span>))}
    </p>
  );
}

/** The document as the standard lays it out, for any page that shows one. */
export function OfficialDocumentLayout({ ctx, doc }: { ctx: ViewContext; doc: OfficialDocumentHtml }) {
  const topLeft = [doc.copyNo, doc.secrecy, doc.urgency].filter((v): v is string => !!v);
  const cc = doc.cc ?? [];
  const printing = !!(doc.printingUnit || doc.printedDate);
  return (
    <article class="official-doc" aria-label={ctx.ta('page.exchange.view.documentLabel', { title: doc.title })}>
      <header class={doc.upward ? 'od-head od-head-upward' : 'od-head'}>
        {topLeft.length ? (
          <div class="od-marks">
            {topLeft.map((text) => (
              <p safe>{text}</p>
            ))}
          </div>
        ) : (
          ''
        )}
        <p class="od-authority" safe>
          {doc.authorityMark}
        </p>
        {doc.upward ? (
          <p class="od-number od-number-upward">
            <span safe>{doc.docNumber}</span>
            <span>
              {ctx.t('page.exchange.view.signerLabel')}
              <span class="od-kai" safe>
                {doc.signer || ''}
              </span>
            </span>
          </p>
        ) : (
          <p class="od-number" safe>
            {doc.docNumber}
          </p>
        )}
        <hr class="od-rule" />
      </header>
      <h2 class="od-title" safe>
        {doc.title}
      </h2>
      {doc.mainRecipients.length ? <p class="od-recipients" safe>{`${doc.mainRecipients.join('、')}：`}</p> : ''}
      <div class="od-body">
        {richTextBlocks(doc.body).map((block) => (
          <BodyBlock block={block} />
        ))}
      </div>
      {doc.attachments.length ? (
        <div class="od-attachments">
          <span class="od-attachments-label">{ctx.t('page.exchange.view.attachmentLabel')}</span>
          <ol class={doc.attachments.length > 1 ? 'od-attachment-list' : 'od-attachment-list od-attachment-single'}>
            {doc.attachments.map((a) => (
              <li>{a.href ? <a href={attr(a.href)} safe>{a.name}</a> : <span safe>{a.name}</span>}</li>
            ))}
          </ol>
        </div>
      ) : (
        ''
      )}
      <div class="od-sign">
        <div class="od-sign-lines">
          <p class="od-signature" safe>
            {doc.signature}
          </p>
          <p class="od-date" safe>
            {writtenDate(doc.writtenDate)}
          </p>
          <Seal ctx={ctx} seal={doc.seal} />
        </div>
      </div>
      {doc.notes ? <p class="od-notes" safe>{`（${doc.notes}）`}</p> : ''}
      {cc.length || printing ? (
        <footer class="od-record">
          {cc.length ? (
            <p class="od-cc">
              <span class="od-cc-label">{ctx.t('page.exchange.view.ccLabel')}</span>
              <span safe>{`${cc.join('，')}。`}</span>
            </p>
          ) : (
            ''
          )}
          {printing ? (
            <p class="od-printing">
              <span safe>{doc.printingUnit || ''}</span>
              <span>{doc.printedDate ? ctx.t('page.exchange.view.printed', { date: writtenDate(doc.printedDate) }) : ''}</span>
            </p>
          ) : (
            ''
          )}
        </footer>
      ) : (
        ''
      )}
    </article>
  );
}

