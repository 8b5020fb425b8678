/** The hotline's knowledge base: an entry is a question with its answer, filed under a category, found by its keywords. */
import crypto from 'node:crypto';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { fieldError, invalid, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, LIMITS } from '../model.ts';
import { toKnowledgeView } from '../queries/knowledge.ts';

export interface KnowledgeInput {
  category: string;
  question: string;
  answer: string;
  keywords?: string[];
  active?: boolean;
}

export const KNOWLEDGE_LIMITS = { question: 500, keywords: 20, keyword: 20 } as const;

function cleaned(input: Partial<KnowledgeInput>): { values: Partial<KnowledgeInput>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Partial<KnowledgeInput> = {};
  if (input.category !== undefined) {
    values.category = input.category.trim();
    if (!values.category) errors.push(fieldError('category', 'interaction.hotline.categoryRequired'));
    else if (values.category.length > LIMITS.category) errors.push(fieldError('category', 'interaction.hotline.tooLong', { max: LIMITS.category }));
  }
  if (input.question !== undefined) {
    values.question = input.question.trim();
    if (!values.question) errors.push(fieldError('question', 'interaction.knowledge.questionRequired'));
    else if (values.question.length > KNOWLEDGE_LIMITS.question) errors.push(fieldError('question', 'interaction.hotline.tooLong', { max: KNOWLEDGE_LIMITS.question }));
  }
  if (input.answer !== undefined) {
    values.answer = input.answer.trim();
    if (!values.answer) errors.push(fieldError('answer', 'interaction.hotline.answerRequired'));
    else if (values.answer.length > LIMITS.answer) errors.push(fieldError('answer', 'interaction.hotline.tooLong', { max: LIMITS.answer }));
  }
  if (input.keywords !== undefined) {
    values.keywords = [...new Set(input.keywords.map((k) => k.trim()).filter(Boolean))];
    if (values.keywords.length > KNOWLEDGE_LIMITS.keywords || values.keywords.some((k) => k.length > KNOWLEDGE_LIMITS.keyword)) {
      errors.push(fieldError('keywords', 'interaction.knowledge.keywordsInvalid', { max: KNOWLEDGE_LIMITS.keywords, length: KNOWLEDGE_LIMITS.keyword }));
    }
  }
  if (input.active !== undefined) values.active = input.active;
  return { values, errors };
}

export async function createKnowledge(work: Work, platform: Platform, input: KnowledgeInput) {
  const { values, errors } = cleaned({ ...input, keywords: input.keywords ?? [] });
  if (errors.length) throw invalid(errors);
  const now = platform.clock.now();
  const row = await interactionDb(work.tx)
    .insertInto('interaction_knowledge')
    .values({
      id: crypto.randomUUID(),
      category: values.category!,
      question: values.question!,
      answer: values.answer!,
      keywords: JSON.stringify(values.keywords ?? []) as never,
      active: values.active ?? true,
      updated_at: now,
      updated_by: work.actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  recordAudit(work, { action: 'interaction.knowledge.create', objectType: 'interaction_knowledge', objectId: row.id, details: { category: row.category } }, now);
  return toKnowledgeView(row);
}

export async function updateKnowledge(work: Work, platform: Platform, id: string, input: Partial<KnowledgeInput>) {
  const { values, errors } = cleaned(input);
  if (errors.length) throw invalid(errors);
  const now = platform.clock.now();
  const row = await interactionDb(work.tx)
    .updateTable('interaction_knowledge')
    .set({
      ...(values.category !== undefined ? { category: values.category } : {}),
      ...(values.question !== undefined ? { question: values.question } : {}),
      ...(values.answer !== undefined ? { answer: values.answer } : {}),
      ...(values.keywords !== undefined ? { keywords: JSON.stringify(values.keywords) as never } : {}),
      ...(values.active !== undefined ? { active: values.active } : {}),
      updated_at: now,
      updated_by: work.actor.userId,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound();
  recordAudit(work, { action: 'interaction.knowledge.update', objectType: 'interaction_knowledge', objectId: id, details: { fields: Object.keys(values) } }, now);
  return toKnowledgeView(row);
}
