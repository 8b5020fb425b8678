import fs from 'node:fs/promises';
import { statSync } from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../module.ts';
import { contentTypeOf, DEFAULT_HOST, hostFolder, pageSegments, publicRoot } from './paths.ts';
import { digestOf } from './writer.ts';
import { countVisit, flushVisits } from './visits.ts';

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
  ino: number;
  size: number;
  mtimeMs: number;
  body: Buffer;
  etag: string;
  type: string;
}

/** Answers requests for published pages before Fastify sees them (see installStaticPages). */
export type DirectPages = (req: IncomingMessage, res: ServerResponse) => boolean;

const directCounts = new WeakMap<Platform, { answered: number }>();

/** How many requests this process answered from memory without Fastify (since it started). */
export const directAnswers = (platform: Platform): number => directCounts.get(platform)?.answered ?? 0;

/**
 * Serves published pages byte for byte before any route: a GET or HEAD whose path has a file
 * under the public folder answers with it (ETag = the stored digest, no-cache, 304 on a match);
 * anything else falls through to the routes, which render on demand. One stat per request, no
 * database query; the bodies of small files stay in memory while their file is the same one.
 *
 * Two doors to the same pages. The onRequest hook answers the first request for a page (it reads
 * the file into memory) and every request made with `app.inject()`. The returned function answers
 * a page already in memory straight from the HTTP server's request event, with the same headers
 * as every other answer (`headers`: helmet's and the platform's): a Fastify request costs about
 * five times the page itself (bench/RESULTS.md, serving against nginx).
 */
export function installStaticPages(app: FastifyInstance, platform: Platform, headers: Record<string, string>): DirectPages {
  const root = publicRoot(platform.config);
  const cache = new Map<string, Cached>();
  let cachedBytes = 0;
  const hosts = new Map<string, { own: boolean; until: number }>();
  const behindProxy = platform.config.trustProxy !== false;
  const counts = { answered: 0 };
  directCounts.set(platform, counts);

  /** The folder of a host name: its own when the public folder has one, else the installation's. */
  const folderOf = (hostname: string): string => {
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
      const own = statSync(path.join(root, folder), { throwIfNoEntry: false })?.isDirectory() ?? false;
      if (hosts.size > 1000) hosts.clear();
      hosts.set(folder, (known = { own, until: now + HOST_TTL_MS }));
    }
    return known.own ? folder : DEFAULT_HOST;
  };

  /** The page's file for a request that may be a published page; null when the routes answer it. */
  const addressOf = (method: string | undefined, url: string, hostname: string, cookie: string | undefined): { file: string; folder: string; pagePath: string } | null => {
    if (method !== 'GET' && method !== 'HEAD') return null;
    // A query (a page number, ?lang=) or a personal cookie asks for what the routes render.
    if (url.includes('?') || NEVER.some((prefix) => url.startsWith(prefix))) return null;
    if (cookie && PERSONAL_COOKIE.test(cookie)) return null;
    let pagePath: string;
    try {
      pagePath = decodeURIComponent(url);
    } catch {
      return null;
    }
    const segments = pageSegments(pagePath);
    if (!segments) return null;
    const folder = folderOf(hostname);
    return { file: path.join(root, folder, ...segments), folder, pagePath };
  };

  const identity = (stat: { ino: number | bigint; size: number | bigint; mtimeMs: number | bigint }) => `${stat.ino}:${stat.size}:${stat.mtimeMs}`;

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
      const id = identity(stat);
      const hit = cache.get(file);
      if (hit?.id === id) return hit;
      const body = await handle.readFile();
      const entry: Cached = { id, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, body, etag: `"${digestOf(body)}"`, type: contentTypeOf(file) };
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

  const notModified = (match: string | undefined, page: Cached) => !!match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag);

  // Counts still in memory are kept when the server stops.
  app.addHook('onClose', async () => void (await flushVisits(platform).catch(() => undefined)));

  app.addHook('onRequest', async (request, reply) => {
    const address = addressOf(request.method, request.url, request.hostname, request.headers.cookie);
    if (!address) return;
    const page = await load(address.file);
    if (!page) return;
    if (request.method === 'GET' && page.type.startsWith('text/html')) countVisit(platform, address.folder, address.pagePath);
    // The page names its own language; the one negotiated for this request says nothing about the file.
    reply.removeHeader('Content-Language');
    reply.header('ETag', page.etag).header('Cache-Control', 'no-cache').header('Vary', 'Cookie').type(page.type);
    if (notModified(request.headers['if-none-match'], page)) {
      reply.status(304).send();
      return reply;
    }
    reply.header('Content-Length', String(page.body.length)).send(page.body);
    return reply;
  });

  // The answer's headers per page in memory, as the flat list writeHead takes (built once per file).
  const headerLists = new WeakMap<Cached, string[]>();
  const headerListOf = (page: Cached): string[] => {
    let list = headerLists.get(page);
    if (!list) {
      list = [...Object.entries(headers).flat(), 'ETag', page.etag, 'Cache-Control', 'no-cache', 'Vary', 'Cookie', 'Content-Type', page.type];
      headerLists.set(page, list);
    }
    return list;
  };
  // Where a (host, address) points, kept as long as a host's folder is believed (HOST_TTL_MS).
  const addresses = new Map<string, { address: ReturnType<typeof addressOf>; until: number }>();

  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    // Behind a proxy that names another host, Fastify's reading of the forwarded headers decides.
    if (behindProxy && req.headers['x-forwarded-host']) return false;
    const cookie = req.headers.cookie;
    if (cookie && PERSONAL_COOKIE.test(cookie)) return false;
    const host = req.headers.host ?? '';
    const url = req.url ?? '';
    const key = `${host} ${url}`;
    const now = Date.now();
    let known = addresses.get(key);
    if (!known || known.until < now) {
      if (addresses.size > 20_000) addresses.clear();
      known = { address: addressOf(method, url, host.replace(/:\d+$/, ''), undefined), until: now + HOST_TTL_MS };
      addresses.set(key, known);
    }
    const address = known.address;
    if (!address) return false;
    const page = cache.get(address.file);
    if (!page) return false;
    // The same file still (a publish renames a new one into place): else the hook reads it again.
    const stat = statSync(address.file, { throwIfNoEntry: false });
    if (!stat || stat.ino !== page.ino || stat.size !== page.size || stat.mtimeMs !== page.mtimeMs) return false;
    if (method === 'GET' && page.type.startsWith('text/html')) countVisit(platform, address.folder, address.pagePath);
    counts.answered++;
    const list = [...headerListOf(page), 'X-Request-Id', crypto.randomUUID()];
    if (notModified(req.headers['if-none-match'], page)) {
      res.writeHead(304, list).end();
      return true;
    }
    list.push('Content-Length', String(page.body.length));
    res.writeHead(200, list);
    res.end(method === 'HEAD' ? undefined : page.body);
    return true;
  };
}
