/**
 * Segmentation measurement for decision 0017 (npx tsx bench/search-recall.ts): over generated
 * documents, for every vocabulary word and phrase asked as a query, which documents contain it
 * (normalised substring: the truth), which an index of Intl.Segmenter words finds (every asked
 * word's segments present as words), and which the bigram index finds (indexTerms/queryTerms).
 */
import { performance } from 'node:perf_hooks';
import { generateDocument, PLACES, TOPICS, UNITS } from './search-data.ts';
import { indexTerms, normalise, queryTerms } from '../src/platform/search/tokens.ts';

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const words = (text: string) => [...segmenter.segment(normalise(text))].filter((s) => s.isWordLike).map((s) => s.segment);

const docs = Array.from({ length: 5000 }, (_, n) => generateDocument(n, 2026)).map((d) => normalise(`${d.title} ${d.body}`));
let t = performance.now();
const wordSets = docs.map((d) => new Set(words(d)));
const wordMs = performance.now() - t;
t = performance.now();
const gramSets = docs.map((d) => new Set(indexTerms(d)));
const gramMs = performance.now() - t;
const queries = [...TOPICS, ...UNITS, ...PLACES, '教育', '公积金', '执照', '衡阳', '信息公开', '养老', '消防', '审批', '政发', '不动产'];
let truth = 0, wordHits = 0, gramHits = 0, gramFalse = 0;
const misses: string[] = [];
for (const q of queries) {
  const qw = words(q);
  const qt = queryTerms(q);
  let qMiss = 0;
  docs.forEach((d, i) => {
    const has = d.includes(normalise(q));
    const w = qw.every((x) => wordSets[i].has(x));
    const g = qt.every((term) => term.lexemes.every((l) => (term.prefix ? [...gramSets[i]].some((x) => x.startsWith(l)) : gramSets[i].has(l))));
    if (has) truth++;
    if (has && w) wordHits++;
    if (has && !w) qMiss++;
    if (has && g) gramHits++;
    if (!has && g) gramFalse++;
  });
  if (qMiss) misses.push(`${q} (${qMiss})`);
}
const chars = docs.reduce((s, d) => s + d.length, 0);
const avg = (sets: Set<string>[]) => (sets.reduce((s, x) => s + x.size, 0) / sets.length).toFixed(0);
console.log(`${docs.length} documents, ${chars.toLocaleString('en')} characters; ${queries.length} queries, ${truth} (query, document) pairs where the document contains the query`);
console.log(`segmenter words only: recall ${((100 * wordHits) / truth).toFixed(1)}%; ${avg(wordSets)} distinct terms per document; segmentation ${(wordMs / docs.length * 1000).toFixed(0)} µs per document`);
console.log(`bigrams (+ run ends): recall ${((100 * gramHits) / truth).toFixed(1)}%, ${gramFalse} false matches (bigrams all present, text not); ${avg(gramSets)} distinct terms per document; ${(gramMs / docs.length * 1000).toFixed(0)} µs per document`);
console.log(`words-only misses: ${misses.join(', ')}`);
const falseBy = new Map<string, number>();
for (const q of queries) {
  const qt = queryTerms(q);
  docs.forEach((d, i) => {
    const g = qt.every((term) => term.lexemes.every((l) => (term.prefix ? [...gramSets[i]].some((x) => x.startsWith(l)) : gramSets[i].has(l))));
    const allWords = qt.every((term) => d.includes(term.text));
    if (g && !allWords) falseBy.set(q, (falseBy.get(q) ?? 0) + 1);
  });
}
console.log(`bigram matches where an asked word is not in the text: ${[...falseBy].map(([q, n]) => `${q} (${n})`).join(', ') || 'none'}`);
