import path from 'node:path';
import type { Config } from '../../config/index.ts';

/** The folder of the installation's address (pages of no host of their own). */
export const DEFAULT_HOST = '_';

/** Where published pages live: `<data>/public/<host or _>/<path>`. */
export const publicRoot = (config: Config) => path.join(config.dataDir, 'public');

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
// A segment is never empty, '.', '..' or hidden (temporary files start with a dot, so they can never
// be asked for), holds no separator, NUL or control character, and fits a file name.
// eslint-disable-next-line no-control-regex
const SEGMENT = /^(?!\.)[^/\\\u0000-\u001f\u007f]{1,200}$/u;
const MAX_DEPTH = 16;

export class StaticPathError extends Error {}

/** The folder name of a host: the name itself when it is a valid host name, else refused. */
export function hostFolder(host: string | null): string {
  if (host === null) return DEFAULT_HOST;
  if (!HOST.test(host)) throw new StaticPathError(`not a host name: ${JSON.stringify(host)}`);
  return host;
}

/**
 * The file of a page below its host folder, as path segments; null when `pagePath` cannot be
 * published (relative, '..', hidden, no extension …). Used both when writing and when serving,
 * so nothing outside the public folder is ever written or read.
 */
export function pageSegments(pagePath: string): string[] | null {
  if (!pagePath.startsWith('/') || pagePath.length > 1024) return null;
  const parts = pagePath.slice(1).split('/');
  const folder = pagePath.endsWith('/');
  if (folder) parts.pop();
  if (parts.length > MAX_DEPTH) return null;
  for (const part of parts) if (!SEGMENT.test(part) || Buffer.byteLength(part) > 240) return null;
  if (folder) return [...parts, 'index.html'];
  // '/news' and '/news/1.html' cannot both be files: a page that is not a folder names its type.
  if (!parts.length || !/\.[a-z0-9]{1,8}$/i.test(parts[parts.length - 1])) return null;
  return parts;
}

/** The absolute file of a page, or a StaticPathError. */
export function pageFile(root: string, host: string | null, pagePath: string): string {
  const segments = pageSegments(pagePath);
  if (!segments) throw new StaticPathError(`not a publishable path: ${JSON.stringify(pagePath)}`);
  return path.join(root, hostFolder(host), ...segments);
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
};

/** The type a published file is served with, by its extension. */
export function contentTypeOf(file: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}
