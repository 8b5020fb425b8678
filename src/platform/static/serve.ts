import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../module.ts';
import { contentTypeOf, DEFAULT_HOST, hostFolder, pageSegments, publicRoot } from './paths.ts';
import { digestOf } from './writer.ts';

/** Paths that are never published pages, whatever the public folder holds. */
const NEVER = ['/api/', '/console/', '/assets/'];
/** Cookies that make a page personal (signed in, another language, large text): such requests are rendered. */
const PERSONAL_COOKIE = /(?:^|;\s*)(?:zt_session|zt_display|zt_lang)=/;
/** Bodies kept in memory, checked against the file's identity on every request. */
const CACHE_BYTES = 32 * 1024 * 1024;
const CACHE_FILE_BYTES = 512 * 1024;
/** How long "this host has a folder of its own" is believed. */
const HOST_TTL_MS = 2000;

interface Cached {
  /** The file's identity: a rename gives a new inode, so a published page is never served stale. */
  id: string;
  body: Buffer;
  etag: string;
  type: string;
}

/**
 * Serves published pages byte for byte before any route: a GET or HEAD whose path has a file
 * under the public folder answers with it (ETag = the stored digest, no-cache, 304 on a match);
 * anything else falls through to the routes, which render on demand. One stat per request, no
 * database query; the bodies of small files stay in memory while their file is the same one.
 */
export function installStaticPages(app: FastifyInstance, platform: Platform) {
  const root = publicRoot(platform.config);
  const cache = new Map<string, Cached>();
  let cachedBytes = 0;
  const hosts = new Map<string, { own: boolean; until: number }>();

  const folderOf = async (hostname: string): Promise<string> => {
    const name = hostname.toLowerCase();
    let folder: string;
    try {
      folder = hostFolder(name);
    } catch {
      return DEFAULT_HOST;
    }
    if (folder === DEFAULT_HOST) return DEFAULT_HOST;
    const now = Date.now();
    let known = hosts.get(folder);
    if (!known || known.until < now) {
      const own = await fs.stat(path.join(root, folder)).then((s) => s.isDirectory(), () => false);
      if (hosts.size > 1000) hosts.clear();
      hosts.set(folder, (known = { own, until: now + HOST_TTL_MS }));
    }
    return known.own ? folder : DEFAULT_HOST;
  };

  const load = async (file: string): Promise<Cached | null> => {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return null;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return null;
      const id = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      const hit = cache.get(file);
      if (hit?.id === id) return hit;
      const body = await handle.readFile();
      const entry: Cached = { id, body, etag: `"${digestOf(body)}"`, type: contentTypeOf(file) };
      if (hit) {
        cache.delete(file);
        cachedBytes -= hit.body.length;
      }
      if (body.length <= CACHE_FILE_BYTES) {
        while (cachedBytes + body.length > CACHE_BYTES && cache.size) {
          const [oldest, old] = cache.entries().next().value as [string, Cached];
          cache.delete(oldest);
          cachedBytes -= old.body.length;
        }
        cache.set(file, entry);
        cachedBytes += body.length;
      }
      return entry;
    } finally {
      await handle.close();
    }
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const url = request.url;
    // A query (a page number, ?lang=) or a personal cookie asks for what the routes render.
    if (url.includes('?') || NEVER.some((prefix) => url.startsWith(prefix))) return;
    if (PERSONAL_COOKIE.test(request.headers.cookie ?? '')) return;
    let pagePath: string;
    try {
      pagePath = decodeURIComponent(url);
    } catch {
      return;
    }
    const segments = pageSegments(pagePath);
    if (!segments) return;
    const file = path.join(root, await folderOf(request.hostname), ...segments);
    const page = await load(file);
    if (!page) return;
    // The page names its own language; the one negotiated for this request says nothing about the file.
    reply.removeHeader('Content-Language');
    reply.header('ETag', page.etag).header('Cache-Control', 'no-cache').header('Vary', 'Cookie').type(page.type);
    const match = request.headers['if-none-match'];
    if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag)) {
      reply.status(304).send();
      return reply;
    }
    reply.header('Content-Length', String(page.body.length)).send(page.body);
    return reply;
  });
}
