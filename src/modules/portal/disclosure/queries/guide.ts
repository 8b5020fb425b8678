/**
 * A unit's disclosure guide (政府信息公开指南): its own text, or the default written from the
 * Regulations on Open Government Information (2019): what is disclosed and where, how to request
 * information, the time limits, that no fee is charged, and the remedies.
 */
import type { Db } from '../../../../platform/db/index.ts';
import type { Unit } from '../../../../platform/org/service.ts';
import { translate, type Lang } from '../../../../platform/i18n/index.ts';
import { disclosureDb } from '../model.ts';

/** The statutory time limits the default guide states (art. 33): 20 working days, one extension of up to 20. */
export const ANSWER_DAYS = 20;
export const EXTENSION_DAYS = 20;

export function defaultGuide(unit: Unit, lang: Lang): string {
  return translate(lang, 'portal.disclosure.guide.default', { unit: unit.name, days: ANSWER_DAYS, extension: EXTENSION_DAYS });
}

export async function guideOf(db: Db, unit: Unit, lang: Lang) {
  const row = await disclosureDb(db).selectFrom('portal_disclosure_guides').selectAll().where('unit_id', '=', unit.id).executeTakeFirst();
  return { unitId: unit.id, unitName: unit.name, custom: !!row, body: row?.body ?? defaultGuide(unit, lang), updatedAt: row?.updated_at ?? null };
}

/** The guide's text as blocks: "## " lines are headings, blank lines end paragraphs. */
export function guideBlocks(text: string): Array<{ kind: 'heading' | 'paragraph'; text: string }> {
  const blocks: Array<{ kind: 'heading' | 'paragraph'; text: string }> = [];
  let paragraph: string[] = [];
  const end = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join('\n') });
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) {
      end();
      blocks.push({ kind: 'heading', text: line.slice(3).trim() });
    } else if (!line.trim()) end();
    else paragraph.push(line.trim());
  }
  end();
  return blocks;
}
