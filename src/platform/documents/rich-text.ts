/**
 * The body of a document (sanitised rich text: p, strong/b, em/i, ol/ul/li, h1–h6, br) as blocks
 * the PDF and the HTML view both lay out: paragraphs with a first-line indent of two characters,
 * headings of the four levels 一、（一）1.（1） (numbered here when their text is not), and list
 * items with their marker. Anything else is read as its text; script and style are dropped.
 * Nothing here is ever output as markup: the view escapes the text of each run.
 */
import { levelNumber, NUMBERED } from './text.ts';

export interface Run {
  text: string;
  strong: boolean;
}

export interface Block {
  kind: 'paragraph' | 'heading' | 'item';
  /** Headings: 1 一、 2 （一） 3 1. 4 （1）. */
  level?: 1 | 2 | 3 | 4;
  /** List items: "1." or "•". */
  marker?: string;
  runs: Run[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*|#39);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const HEADING_LEVEL: Record<string, 1 | 2 | 3 | 4> = { h1: 1, h2: 1, h3: 2, h4: 3, h5: 4, h6: 4 };
const BLOCKS = new Set(['p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote']);

/** The blocks of a body; a body without tags is read as plain text, one paragraph per line. */
export function richTextBlocks(html: string): Block[] {
  if (!/<[a-z/!]/i.test(html)) {
    return html
      .split(/\r?\n/)
      .map((line) => decodeEntities(line).replace(/\s+/g, ' ').trim())
      .filter(Boolean)
      .map((text) => ({ kind: 'paragraph' as const, runs: [{ text, strong: false }] }));
  }
  const blocks: Block[] = [];
  const lists: Array<{ ordered: boolean; n: number }> = [];
  const counters = [0, 0, 0, 0];
  let strong = 0;
  let current: Block | null = null;
  let skip: string | null = null;

  const close = () => {
    if (!current) return;
    const runs = current.runs;
    // Collapse white space, trim the block's ends, drop empty runs.
    for (const run of runs) run.text = run.text.replace(/\s+/g, ' ');
    if (runs.length) {
      runs[0].text = runs[0].text.replace(/^ /, '');
      runs[runs.length - 1].text = runs[runs.length - 1].text.replace(/ $/, '');
    }
    current.runs = runs.filter((r) => r.text);
    if (current.runs.length) {
      if (current.kind === 'heading' && current.level) {
        const level = current.level;
        counters[level - 1] += 1;
        for (let i = level; i < 4; i++) counters[i] = 0;
        if (!NUMBERED.test(current.runs[0].text)) current.runs[0].text = levelNumber(level, counters[level - 1]) + current.runs[0].text;
      }
      blocks.push(current);
    }
    current = null;
  };
  const open = (block: Block) => {
    close();
    current = block;
  };

  const token = /<!--[\s\S]*?-->|<(\/?)([a-z][a-z0-9]*)\b[^>]*>|([^<]+)|</gi;
  for (const match of html.matchAll(token)) {
    const [whole, slash, rawTag, text] = match;
    const tag = rawTag?.toLowerCase();
    if (skip) {
      if (slash && tag === skip) skip = null;
      continue;
    }
    if (text !== undefined || whole === '<') {
      const value = decodeEntities(text ?? '<');
      if (!current) {
        if (!value.trim()) continue;
        open({ kind: 'paragraph', runs: [] });
      }
      const block = current as unknown as Block;
      const last = block.runs[block.runs.length - 1];
      if (last && last.strong === strong > 0) last.text += value;
      else block.runs.push({ text: value, strong: strong > 0 });
      continue;
    }
    if (!tag) continue;
    if (tag === 'script' || tag === 'style') {
      if (!slash && !/\/>$/.test(whole)) skip = tag;
      continue;
    }
    if (tag === 'strong' || tag === 'b') {
      strong = Math.max(0, strong + (slash ? -1 : 1));
      continue;
    }
    if (tag === 'ol' || tag === 'ul') {
      close();
      if (slash) lists.pop();
      else lists.push({ ordered: tag === 'ol', n: 0 });
      continue;
    }
    if (tag === 'br') {
      const kind = (current as Block | null)?.kind === 'heading' ? 'heading' : 'paragraph';
      if (current && kind === 'paragraph') open({ kind: 'paragraph', runs: [] });
      continue;
    }
    if (!BLOCKS.has(tag)) continue;
    if (slash) {
      close();
      continue;
    }
    if (tag === 'li') {
      const list = lists[lists.length - 1];
      if (list) list.n += 1;
      open({ kind: 'item', marker: list?.ordered ? `${list.n}.` : '•', runs: [] });
    } else if (HEADING_LEVEL[tag]) open({ kind: 'heading', level: HEADING_LEVEL[tag], runs: [] });
    else open({ kind: 'paragraph', runs: [] });
  }
  close();
  return blocks;
}

/** A block's text without its formatting. */
export const blockText = (block: Block) => `${block.marker ? `${block.marker}` : ''}${block.runs.map((r) => r.text).join('')}`;
