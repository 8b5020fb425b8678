/**
 * The portal's themes and the fixed palette of site colours. One source for both the stylesheet
 * (themes.css is generated from these tables, see assets.ts) and the contrast test, so a colour
 * that fails WCAG 2.1 AA cannot reach a page: an editor picks a theme and a palette entry, never
 * a free colour.
 */

export type PaletteId = 'red' | 'crimson' | 'blue' | 'navy' | 'green' | 'teal' | 'brown' | 'purple';
export type ThemeId = 'red' | 'blue' | 'green';

export interface Palette {
  id: PaletteId;
  name: string;
  /** Links, buttons, headings' rules: white text on it and it on white both meet 4.5:1. */
  primary: string;
  /** Navigation bands and hover states. */
  primaryDark: string;
  /** Tinted backgrounds (hover, current item); primary text on it meets 4.5:1. */
  primaryLight: string;
  /** The high-contrast (适老化) replacements: 7:1 against white. */
  high: string;
  highDark: string;
}

export const PALETTE: readonly Palette[] = [
  { id: 'red', name: '中国红', primary: '#b3161b', primaryDark: '#8a1015', primaryLight: '#fdf0f0', high: '#7a0c10', highDark: '#4d0709' },
  { id: 'crimson', name: '绛红', primary: '#a1232b', primaryDark: '#7c1a20', primaryLight: '#fbeeee', high: '#6e1218', highDark: '#420a0e' },
  { id: 'blue', name: '政务蓝', primary: '#0a4a9b', primaryDark: '#06336d', primaryLight: '#e8f0fb', high: '#002a6b', highDark: '#001a45' },
  { id: 'navy', name: '藏青', primary: '#1d3a6e', primaryDark: '#12264a', primaryLight: '#e9eef7', high: '#142a52', highDark: '#0a1730' },
  { id: 'green', name: '清新绿', primary: '#1a6b3c', primaryDark: '#114a29', primaryLight: '#e9f5ee', high: '#0d4a26', highDark: '#062a15' },
  { id: 'teal', name: '青碧', primary: '#0c6868', primaryDark: '#084848', primaryLight: '#e5f3f3', high: '#064848', highDark: '#022a2a' },
  { id: 'brown', name: '赭石', primary: '#8a4b14', primaryDark: '#613409', primaryLight: '#fbf1e6', high: '#5c3000', highDark: '#3a1e00' },
  { id: 'purple', name: '黛紫', primary: '#5b2c83', primaryDark: '#3f1d5c', primaryLight: '#f3ecf9', high: '#45206a', highDark: '#2a1242' },
];

/** A colour of a theme: one of the site's palette colours or a fixed one (#rrggbb). */
export type ColourRef = 'primary' | 'primaryDark' | 'primaryLight' | 'accent' | `#${string}`;

export interface Theme {
  id: ThemeId;
  name: string;
  description: string;
  /** The palette entry a new site of this theme starts with. */
  defaultPalette: PaletteId;
  /** The theme's second colour (current navigation item, the masthead's rule); white text on it. */
  accent: string;
  accentHigh: string;
  header: { bg: ColourRef; bg2: ColourRef; ink: ColourRef; rule: ColourRef };
  nav: { bg: ColourRef; ink: ColourRef; currentBg: ColourRef; currentInk: ColourRef };
  footer: { bg: ColourRef; ink: ColourRef };
}

export const THEMES: readonly Theme[] = [
  {
    id: 'red',
    name: '政务红',
    description: '红色通栏报头、金色细线，适合政府门户主站',
    defaultPalette: 'red',
    accent: '#7a5200',
    accentHigh: '#4d3300',
    header: { bg: 'primary', bg2: 'primaryDark', ink: '#ffffff', rule: '#f6d36b' },
    nav: { bg: 'primaryDark', ink: '#ffffff', currentBg: '#ffffff', currentInk: 'primaryDark' },
    footer: { bg: '#2b1a1b', ink: '#f2e9e9' },
  },
  {
    id: 'blue',
    name: '政务蓝',
    description: '蓝色渐变报头、红色当前栏目，与办事大厅一致',
    defaultPalette: 'blue',
    accent: '#b3161b',
    accentHigh: '#7a0c10',
    header: { bg: 'primaryDark', bg2: 'primary', ink: '#ffffff', rule: 'accent' },
    nav: { bg: 'primaryDark', ink: '#ffffff', currentBg: 'accent', currentInk: '#ffffff' },
    footer: { bg: '#1d2633', ink: '#e6e9ef' },
  },
  {
    id: 'green',
    name: '清新绿',
    description: '白色报头、绿色导航，适合部门和专题子站',
    defaultPalette: 'green',
    accent: '#114a29',
    accentHigh: '#062a15',
    header: { bg: '#ffffff', bg2: 'primaryLight', ink: 'primaryDark', rule: 'primary' },
    nav: { bg: 'primary', ink: '#ffffff', currentBg: 'primaryDark', currentInk: '#ffffff' },
    footer: { bg: '#1f2b24', ink: '#e7efe9' },
  },
];

export const themeOf = (id: string): Theme => THEMES.find((t) => t.id === id) ?? THEMES[1];
export const paletteOf = (id: string): Palette => PALETTE.find((p) => p.id === id) ?? PALETTE[2];

/** WCAG 2.1 relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export type DisplayMode = 'standard' | 'large';

/** The concrete colour a reference stands for on a site of this theme and palette, in a mode. */
export function resolveColour(ref: ColourRef, theme: Theme, palette: Palette, mode: DisplayMode): string {
  const large = mode === 'large';
  switch (ref) {
    case 'primary':
      return large ? palette.high : palette.primary;
    case 'primaryDark':
      return large ? palette.highDark : palette.primaryDark;
    case 'primaryLight':
      return palette.primaryLight;
    case 'accent':
      return large ? theme.accentHigh : theme.accent;
    default:
      return ref;
  }
}

/** The text/background pairs a page of this theme shows, with the ratio each must reach. */
export function colourPairs(theme: Theme, palette: Palette, mode: DisplayMode): Array<{ what: string; fg: string; bg: string; min: number }> {
  const c = (ref: ColourRef) => resolveColour(ref, theme, palette, mode);
  const min = mode === 'large' ? 7 : 4.5;
  return [
    { what: 'masthead text', fg: c(theme.header.ink), bg: c(theme.header.bg), min },
    { what: 'masthead text (far end)', fg: c(theme.header.ink), bg: c(theme.header.bg2), min },
    { what: 'navigation', fg: c(theme.nav.ink), bg: c(theme.nav.bg), min },
    { what: 'current navigation item', fg: c(theme.nav.currentInk), bg: c(theme.nav.currentBg), min },
    { what: 'footer', fg: c(theme.footer.ink), bg: c(theme.footer.bg), min },
    { what: 'footer link', fg: '#ffffff', bg: c(theme.footer.bg), min },
    { what: 'link on white', fg: c('primary'), bg: '#ffffff', min },
    { what: 'link on the page background', fg: c('primary'), bg: mode === 'large' ? '#ffffff' : '#f3f5f8', min },
    { what: 'link on a tinted background', fg: c('primary'), bg: c('primaryLight'), min },
    { what: 'hovered link on a tinted background', fg: c('primaryDark'), bg: c('primaryLight'), min },
    { what: 'button', fg: '#ffffff', bg: c('primary'), min },
    { what: 'hovered button', fg: '#ffffff', bg: c('primaryDark'), min },
    { what: 'accent', fg: '#ffffff', bg: c('accent'), min },
  ];
}

const cssValue = (ref: ColourRef) => (ref.startsWith('#') ? ref : `var(--${ref.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)})`);

/**
 * themes.css: a class per palette entry and per theme on <html> (`palette-blue theme-red`), each
 * setting custom properties that site.css uses; `display-large` (适老化) swaps in the high-contrast
 * colours. Loaded after app.css, whose `:root` and `html.display-large` values these override.
 */
export function themeCss(): string {
  const lines = ['/* Generated from src/modules/portal/render/themes.ts: edit the tables there. */'];
  for (const p of PALETTE) {
    lines.push(`html.palette-${p.id} { --primary: ${p.primary}; --primary-dark: ${p.primaryDark}; --primary-light: ${p.primaryLight}; }`);
    lines.push(`html.palette-${p.id}.display-large { --primary: ${p.high}; --primary-dark: ${p.highDark}; --primary-light: ${p.primaryLight}; }`);
  }
  for (const t of THEMES) {
    lines.push(
      `html.theme-${t.id} { --accent: ${t.accent}; --header-bg: ${cssValue(t.header.bg)}; --header-bg-2: ${cssValue(t.header.bg2)}; --header-ink: ${cssValue(t.header.ink)}; --header-rule: ${cssValue(t.header.rule)}; ` +
        `--nav-bg: ${cssValue(t.nav.bg)}; --nav-ink: ${cssValue(t.nav.ink)}; --nav-current-bg: ${cssValue(t.nav.currentBg)}; --nav-current-ink: ${cssValue(t.nav.currentInk)}; ` +
        `--footer-bg: ${cssValue(t.footer.bg)}; --footer-ink: ${cssValue(t.footer.ink)}; }`,
    );
    lines.push(`html.theme-${t.id}.display-large { --accent: ${t.accentHigh}; }`);
  }
  return lines.join('\n') + '\n';
}
