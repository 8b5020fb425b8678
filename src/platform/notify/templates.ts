import { LANGS, type Lang } from '../i18n/index.ts';

/** One language of a message: the subject is the e-mail subject and the in-app title; SMS uses the text only. */
export interface TemplateText {
  subject: string;
  text: string;
  /** In-app messages only: where the message leads, e.g. '/cases/{caseId}'. */
  link?: string;
}

export type Template = Record<Lang, TemplateText>;

export interface RenderedMessage {
  subject: string;
  text: string;
  link: string | null;
}

export type TemplateParams = Record<string, string | number | boolean | null>;

const templates = new Map<string, Template>();
const PLACEHOLDER = /\{(\w+)\}/g;

function placeholders(template: Template): Set<string> {
  const names = new Set<string>();
  for (const lang of LANGS) {
    const { subject, text, link } = template[lang];
    for (const part of [subject, text, link ?? '']) for (const match of part.matchAll(PLACEHOLDER)) names.add(match[1]);
  }
  return names;
}

/**
 * Modules register their templates at import time, in both languages. Keys are dotted and
 * start with the module name ('approval.accepted'); a key defined twice differently is a
 * programming error.
 */
export function registerTemplate(key: string, template: Template) {
  if (!/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9_-]+)+$/.test(key)) throw new Error(`template key ${key} must be '<module>.<name>'`);
  for (const lang of LANGS) {
    const part = template[lang];
    if (!part || !part.subject || !part.text) throw new Error(`template ${key} lacks its ${lang} subject or text`);
  }
  const existing = templates.get(key);
  if (existing && JSON.stringify(existing) !== JSON.stringify(template)) throw new Error(`template ${key} defined twice`);
  templates.set(key, template);
}

export function hasTemplate(key: string): boolean {
  return templates.has(key);
}

/** Throws when the template is unknown or a placeholder has no value: caught when the message is written, not when it is sent. */
export function checkTemplateParams(key: string, params: TemplateParams) {
  const template = templates.get(key);
  if (!template) throw new Error(`unknown notification template ${key}`);
  const missing = [...placeholders(template)].filter((name) => params[name] === undefined || params[name] === null);
  if (missing.length) throw new Error(`template ${key} needs ${missing.join(', ')}`);
}

const substitute = (text: string, params: TemplateParams) =>
  text.replace(PLACEHOLDER, (whole, name: string) => (params[name] === undefined || params[name] === null ? whole : String(params[name])));

/** The message in one language with {param} replaced; null when the template is gone. */
export function renderTemplate(key: string, lang: Lang, params: TemplateParams): RenderedMessage | null {
  const template = templates.get(key);
  if (!template) return null;
  const part = template[lang] ?? template['zh-CN'];
  return { subject: substitute(part.subject, params), text: substitute(part.text, params), link: part.link ? substitute(part.link, params) : null };
}
