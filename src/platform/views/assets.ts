import fs from 'node:fs';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface Asset {
  body: Buffer;
  type: string;
  version: string;
}

/** A file's bytes with the version (content hash) its URL carries; modules serve theirs the same way. */
export function hashedAsset(content: Buffer | string, type: string): Asset {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { body, type, version: crypto.createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

const load = (file: string, type: string): Asset => hashedAsset(fs.readFileSync(file), type);

// Read once at start: the files are small and the version in their URL lets browsers keep
// them for a year; a changed file gets a new URL.
const assets: Record<string, Asset> = {
  'app.css': load(path.join(here, 'assets/app.css'), 'text/css; charset=utf-8'),
  'app.js': load(path.join(here, 'assets/app.js'), 'text/javascript; charset=utf-8'),
  'favicon.svg': load(path.join(here, 'assets/favicon.svg'), 'image/svg+xml'),
  'htmx.min.js': load(require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
};

export type AssetName = keyof typeof assets;

export function assetUrl(name: AssetName): string {
  return `/assets/${name}?v=${assets[name].version}`;
}

export async function assetRoutes(app: FastifyInstance) {
  app.get<{ Params: { name: string } }>('/assets/:name', { config: { auth: 'public' } }, async (request, reply) => {
    const asset = assets[request.params.name];
    if (!asset) return reply.callNotFound();
    return sendAsset(request, reply, asset);
  });
}

/** Sends an asset for a year (its URL changes with its content), or 304 when the browser has it. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  const etag = `"${asset.version}"`;
  reply.header('Cache-Control', 'public, max-age=31536000, immutable').header('ETag', etag).type(asset.type);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send(asset.body);
}
