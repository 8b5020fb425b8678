export type Lang = 'zh-CN' | 'en';
export const LANGS: Lang[] = ['zh-CN', 'en'];
export type Messages = Record<string, string>;
/** A module's strings in both languages. */
export interface MessageCatalogue {
  'zh-CN': Messages;
  en: Messages;
}
export type Translate = (key: string, params?: Record<string, unknown>) => string;

const catalogues: Record<Lang, Messages> = { 'zh-CN': {}, en: {} };

/**
 * Adds a catalogue to the process's strings; buildApp does it for every installed module's
 * manifest. Installing the same catalogue again changes nothing; a key defined twice with
 * different text is a programming error.
 */
export function registerMessages(messages: MessageCatalogue) {
  for (const lang of LANGS) {
    for (const [key, text] of Object.entries(messages[lang])) {
      if (key in catalogues[lang] && catalogues[lang][key] !== text) throw new Error(`message ${key} defined twice`);
      catalogues[lang][key] = text;
    }
  }
}

export function translate(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const text = catalogues[lang][key] ?? catalogues['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function translator(lang: Lang): Translate {
  return (key, params) => translate(lang, key, params);
}

export function hasMessage(key: string): boolean {
  return key in catalogues['zh-CN'];
}

/** Chooses the language: explicit choice first (query or cookie), then Accept-Language; Chinese by default. */
export function pickLang(explicit: string | undefined, acceptLanguage: string | undefined): Lang {
  if (explicit === 'en' || explicit === 'zh-CN') return explicit;
  if (!acceptLanguage) return 'zh-CN';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh-CN';
}
