import type { Db } from '../../../platform/db/index.ts';
import { interactionDb } from '../model.ts';

/**
 * The words of the sensitive-word list that occur in a text. The list is short (hundreds of
 * words) and read per letter; the text is compared with invisible characters removed, so that
 * a word split by zero-width spaces is still found.
 */
export async function flaggedWords(db: Db, text: string): Promise<string[]> {
  const words = await interactionDb(db).selectFrom('interaction_sensitive_words').select('word').execute();
  if (!words.length) return [];
  const plain = text.normalize('NFKC').replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '').toLowerCase();
  return words.map((w) => w.word).filter((word) => plain.includes(word.normalize('NFKC').toLowerCase()));
}
