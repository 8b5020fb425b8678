/** The sensitive-word list of the board's moderation, replaced as a whole: at most 2,000 words of 1–20 characters, each once. */
import { sql } from 'kysely';
import type { Work } from '../../../platform/db/work.ts';
import type { Platform } from '../../../platform/module.ts';
import { fieldError, invalid, type FieldError } from '../../../platform/http/errors.ts';
import { recordAudit } from '../../../platform/audit/service.ts';
import { interactionDb, SENSITIVE_WORD_LENGTH, SENSITIVE_WORDS_MAX } from '../model.ts';
import { forgetSettings } from '../queries/settings.ts';

export function cleanWords(words: readonly string[]): string[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  words.forEach((raw, index) => {
    const word = raw.normalize('NFKC').replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '').trim().toLowerCase();
    if (!word) return;
    if ([...word].length > SENSITIVE_WORD_LENGTH) errors.push(fieldError(`words/${index}`, 'interaction.moderation.wordTooLong', { max: SENSITIVE_WORD_LENGTH }));
    else seen.add(word);
  });
  if (seen.size > SENSITIVE_WORDS_MAX) errors.push(fieldError('words', 'interaction.moderation.tooManyWords', { max: SENSITIVE_WORDS_MAX }));
  if (errors.length) throw invalid(errors.slice(0, 20));
  return [...seen].sort();
}

export async function saveSensitiveWords(work: Work, platform: Platform, input: { words: readonly string[] }): Promise<{ words: string[] }> {
  const words = cleanWords(input.words);
  const now = platform.clock.now();
  const db = interactionDb(work.tx);
  // One writer at a time: the list is replaced as a whole.
  await sql`lock table interaction_sensitive_words in share row exclusive mode`.execute(work.tx);
  const before = (await db.selectFrom('interaction_sensitive_words').select('word').execute()).map((r) => r.word);
  const kept = new Set(words);
  const removed = before.filter((w) => !kept.has(w));
  const had = new Set(before);
  const added = words.filter((w) => !had.has(w));
  if (removed.length) await db.deleteFrom('interaction_sensitive_words').where('word', 'in', removed).execute();
  for (let i = 0; i < added.length; i += 500) {
    await db
      .insertInto('interaction_sensitive_words')
      .values(added.slice(i, i + 500).map((word) => ({ word, created_at: now, created_by: work.actor.userId })))
      .execute();
  }
  // Letters received from now on are checked against the new list (other processes: within 30 s).
  work.afterCommit(() => forgetSettings(platform));
  recordAudit(work, { action: 'interaction.moderation.words', objectType: 'interaction_sensitive_words', objectId: 'list', details: { count: words.length, added: added.length, removed: removed.length } }, now);
  return { words };
}
