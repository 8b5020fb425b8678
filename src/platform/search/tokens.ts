/**
 * What is indexed and what is asked, for Chinese (decision 0017).
 *
 * Text is normalised (NFKC: full-width digits and letters become ASCII; lower case), then cut by
 * Intl.Segmenter into word-like segments. Latin and digit segments are lexemes as they are. Han
 * text is indexed as the character bigrams of each run of Han characters, across the segmenter's
 * word boundaries, plus the run's last character: ICU's dictionary cuts the same word differently
 * in different contexts (教育 | 教育局, 不动 | 产, 公 | 积 | 金), so words alone miss documents that
 * contain the asked text; bigrams make every asked word of two or more characters an exact
 * substring test, and "c:*" finds any single character (it starts a bigram or ends a run).
 *
 * A query is segmented the same way; the segmenter's words decide which bigrams are asked for, so
 * bigrams across two asked words are not required (营业执照办理 also finds 办理营业执照). The
 * lexemes are written straight into tsvector and tsquery literals: PostgreSQL's parser never
 * re-cuts them, and both databases see exactly the same terms.
 */

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN = /\p{Script=Han}/u;
/** Letters and digits of any script; everything else separates lexemes. */
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** PostgreSQL refuses lexemes of 2 KB and more; longer Latin "words" are cut. */
const MAX_LEXEME = 60;
/** tsvector positions stop at 16383; later terms keep that position. */
const MAX_POSITION = 16383;

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Runs of one kind, in order: Han runs (across segmenter words) and Latin/digit words. */
interface Piece {
  kind: 'han' | 'word';
  text: string;
  /** For Han runs of a query: the segmenter's words inside the run. */
  words: string[];
}

function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let run: Piece | null = null;
  for (const { segment, isWordLike } of segmenter.segment(normalise(text))) {
    if (!isWordLike) {
      run = null;
      continue;
    }
    // A segment may mix scripts (rarely: 'x光'); split it into Han and non-Han stretches.
    for (const part of segment.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) ?? []) {
      if (HAN.test(part)) {
        if (!run) out.push((run = { kind: 'han', text: '', words: [] }));
        run.text += part;
        run.words.push(part);
      } else {
        run = null;
        for (const word of part.split(/[^\p{L}\p{N}]+/u)) if (word) out.push({ kind: 'word', text: word.slice(0, MAX_LEXEME), words: [] });
      }
    }
  }
  return out;
}

const bigrams = (run: string): string[] => {
  const chars = [...run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
};

/** The lexemes of a text in order (positions are their indexes + 1). */
export function indexTerms(text: string): string[] {
  const out: string[] = [];
  for (const piece of pieces(text)) {
    if (piece.kind === 'word') out.push(piece.text);
    else {
      out.push(...bigrams(piece.text));
      out.push([...piece.text].at(-1)!);
    }
  }
  return out;
}

const quote = (lexeme: string) => `'${lexeme.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;

/**
 * A tsvector literal: the title's terms with weight A from position 1, the body's with weight D
 * after them (a gap of 10, so no cover spans the two).
 */
export function tsvectorLiteral(parts: Array<{ terms: string[]; weight: 'A' | 'B' | 'C' | 'D' }>): string {
  const positions = new Map<string, string[]>();
  let position = 1;
  for (const part of parts) {
    for (const term of part.terms) {
      let list = positions.get(term);
      if (!list) positions.set(term, (list = []));
      // At most 256 positions per lexeme are kept by PostgreSQL; more only cost input size.
      if (list.length < 256) list.push(`${Math.min(position, MAX_POSITION)}${part.weight}`);
      position += 1;
    }
    position += 10;
  }
  return [...positions].map(([lexeme, list]) => `${quote(lexeme)}:${list.join(',')}`).join(' ');
}

/** What one asked word needs in the index, and the text marked in snippets. */
export interface QueryTerm {
  /** Lexemes that must all be present ('c:*' for a single Han character). */
  lexemes: string[];
  prefix: boolean;
  /** The text highlighted: the asked word as written (normalised). */
  text: string;
}

/**
 * The asked words of a query. A Han run is cut by the segmenter; a one-character word joins its
 * neighbour in the same run (衡阳 | 市 | 教育局 → 衡阳市, 教育局) so it narrows the search instead of
 * matching every document with that character; a run of one character is a prefix term.
 */
export function queryTerms(q: string): QueryTerm[] {
  const out: QueryTerm[] = [];
  for (const piece of pieces(q)) {
    if (piece.kind === 'word') {
      out.push({ lexemes: [piece.text], prefix: false, text: piece.text });
      continue;
    }
    const words: string[] = [];
    for (const word of piece.words) {
      const last = words.length - 1;
      if (last >= 0 && ([...word].length === 1 || [...words[last]].length === 1)) words[last] += word;
      else words.push(word);
    }
    for (const word of words) {
      if ([...word].length === 1) out.push({ lexemes: [word], prefix: true, text: word });
      else out.push({ lexemes: bigrams(word), prefix: false, text: word });
    }
  }
  // The same word asked twice asks nothing more.
  const seen = new Set<string>();
  return out.filter((t) => !seen.has(t.text) && seen.add(t.text));
}

/**
 * The tsquery literal: every term required; a word of three or more Han characters as a phrase of
 * its bigrams (民政局 is 民政 <-> 政局: a text with 人民政府 and 财政局 has both bigrams, not the word).
 */
export function tsqueryLiteral(terms: QueryTerm[], operator: ' & ' | ' | ' = ' & '): string {
  return terms
    .map((t) => (t.prefix ? `${quote(t.lexemes[0])}:*` : t.lexemes.length === 1 ? quote(t.lexemes[0]) : `(${t.lexemes.map(quote).join(' <-> ')})`))
    .join(operator);
}

/** True when the text has at least one letter or digit (something to search for). */
export function hasWordCharacters(text: string): boolean {
  return WORD_CHAR.test(text);
}
