/**
 * A line diff of two texts, written here because no diff package is installed (the `diff` npm package
 * is not in node_modules): the longest common subsequence of the lines, by dynamic programming.
 * Revisions of a web article are short (hundreds of lines); above MAX_CELLS the two texts are shown
 * as one removal and one addition rather than spending quadratic time.
 */
export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
}

const MAX_CELLS = 4_000_000;

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  // Common head and tail first: most edits touch a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle: DiffLine[] = [];
  if (x.length * y.length > MAX_CELLS) {
    middle.push(...x.map((text) => ({ op: 'remove' as const, text })), ...y.map((text) => ({ op: 'add' as const, text })));
  } else {
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
    for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      if (x[i] === y[j]) {
        middle.push({ op: 'equal', text: x[i] });
        i++;
        j++;
      } else if (lcs[i + 1][j] >= lcs[i][j + 1]) middle.push({ op: 'remove', text: x[i++] });
      else middle.push({ op: 'add', text: y[j++] });
    }
    while (i < x.length) middle.push({ op: 'remove', text: x[i++] });
    while (j < y.length) middle.push({ op: 'add', text: y[j++] });
  }
  return [...a.slice(0, head).map((text) => ({ op: 'equal' as const, text })), ...middle, ...a.slice(a.length - tail).map((text) => ({ op: 'equal' as const, text }))];
}
