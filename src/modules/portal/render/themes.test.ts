/**
 * Every theme with every palette colour meets WCAG 2.1 AA contrast (4.5:1 for text) in the standard
 * mode and 7:1 in the 长者模式; the stylesheet served is generated from the same tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourPairs, contrastRatio, PALETTE, THEMES, themeCss } from './themes.ts';
import { portalAssetFiles } from './assets.ts';

test('the contrast function matches known ratios', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
  assert.equal(contrastRatio('#ffffff', '#000000'), 21, 'symmetric');
  assert.ok(Math.abs(contrastRatio('#777777', '#ffffff') - 4.48) < 0.01, '#777 on white just fails AA');
  assert.ok(Math.abs(contrastRatio('#0a4a9b', '#ffffff') - 8.52) < 0.01);
});

test('every theme × palette colour × mode: all text on its background meets the ratio (4.5:1 standard, 7:1 长者模式)', () => {
  const failures: string[] = [];
  let checked = 0;
  for (const theme of THEMES) {
    for (const palette of PALETTE) {
      for (const mode of ['standard', 'large'] as const) {
        for (const pair of colourPairs(theme, palette, mode)) {
          checked++;
          const ratio = contrastRatio(pair.fg, pair.bg);
          if (ratio < pair.min) failures.push(`${theme.id}/${palette.id}/${mode} ${pair.what}: ${pair.fg} on ${pair.bg} = ${ratio.toFixed(2)} < ${pair.min}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked >= THEMES.length * PALETTE.length * 2 * 10);
});

test('themes.css is generated from the tables and is what is served', () => {
  const css = themeCss();
  for (const p of PALETTE) {
    assert.ok(css.includes(`html.palette-${p.id} { --primary: ${p.primary};`), p.id);
    assert.ok(css.includes(`html.palette-${p.id}.display-large { --primary: ${p.high};`), p.id);
  }
  for (const t of THEMES) assert.ok(css.includes(`html.theme-${t.id} {`), t.id);
  assert.doesNotMatch(css, /undefined/);
  const served = portalAssetFiles().find((f) => f.name === 'themes.css')!;
  assert.equal(served.body.toString('utf8'), css);
  assert.match(served.version, /^[0-9a-f]{12}$/);
  // Ids are unique and the names are Chinese.
  assert.equal(new Set(PALETTE.map((p) => p.id)).size, PALETTE.length);
  for (const x of [...PALETTE, ...THEMES]) assert.match(x.name, /^[\u4e00-\u9fff]+$/);
});
