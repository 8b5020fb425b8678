/** What is indexed and asked for Chinese text (decision 0017), without a database. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexTerms, queryTerms, tsqueryLiteral, tsvectorLiteral } from './tokens.ts';
import { htmlToText, snippetOf, highlightTitle } from './snippet.ts';

test('Han runs are indexed as bigrams plus their last character; Latin and digits as words', () => {
  assert.deepEqual(indexTerms('衡阳市教育局'), ['衡阳', '阳市', '市教', '教育', '育局', '局']);
  assert.deepEqual(indexTerms('衡政发〔2026〕12号'), ['衡政', '政发', '发', '2026', '12', '号']);
  assert.deepEqual(indexTerms('ＩＣＰ备案 No.１２'), ['icp', '备案', '案', 'no', '12'], 'full-width letters and digits fold to ASCII, lower case');
});

test('a query asks for its words, not for the bigrams between them; single characters join a neighbour', () => {
  assert.equal(tsqueryLiteral(queryTerms('营业执照办理')), "'营业' & '执照' & '办理'");
  assert.equal(tsqueryLiteral(queryTerms('衡阳市教育局')), "('衡阳' <-> '阳市') & ('教育' <-> '育局')");
  assert.equal(tsqueryLiteral(queryTerms('税')), "'税':*");
  assert.equal(tsqueryLiteral(queryTerms("o'neil 政府")), "'o' & 'neil' & '政府'");
  assert.deepEqual(queryTerms('政府 政府'), queryTerms('政府'), 'a word asked twice counts once');
});

test('tsvector literals weight the title above the body and quote every lexeme', () => {
  assert.equal(tsvectorLiteral([{ terms: ['政府'], weight: 'A' }, { terms: ['政府', "a'b"], weight: 'D' }]), "'政府':1A,12D 'a''b':13D");
});

test('snippets and titles are escaped and marked', () => {
  const terms = queryTerms('公开');
  assert.equal(highlightTitle('<公开>', terms), '&lt;<mark>公开</mark>&gt;');
  assert.equal(snippetOf('a<b>&公开', terms), 'a&lt;b&gt;&amp;<mark>公开</mark>');
  const long = `${'前'.repeat(100)}公开${'后'.repeat(200)}`;
  const s = snippetOf(long, terms);
  assert.ok(s.startsWith('…') && s.endsWith('…') && s.includes('<mark>公开</mark>'));
  assert.equal(htmlToText('<p>政府&amp;信息</p><script>alert(1)</script><style>p{}</style>公开&lt;b&gt;'), '政府&信息 公开<b>');
});
