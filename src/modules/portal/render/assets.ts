/**
 * The portal's own stylesheets and scripts, served like the platform's (src/platform/views/assets.ts):
 * read once, a content hash in the URL, cached for a year. themes.css is generated from themes.ts.
 * Published pages name these URLs, so a changed file gets a new URL and old pages keep working
 * until they are published again (their old URL still answers with the current file).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { hashedAsset, sendAsset, type Asset } from '../../../platform/views/index.ts';
import { themeCss } from './themes.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

const portalAssets = {
  'site.css': hashedAsset(fs.readFileSync(path.join(here, 'assets/site.css')), CSS),
  'themes.css': hashedAsset(themeCss(), CSS),
  'display.js': hashedAsset(fs.readFileSync(path.join(here, 'assets/display.js')), JS),
  'site.js': hashedAsset(fs.readFileSync(path.join(here, 'assets/site.js')), JS),
} satisfies Record<string, Asset>;

export type PortalAssetName = keyof typeof portalAssets;

/** The prefix the portal's assets are served under (beside the platform's /assets/<name>). */
export const PORTAL_ASSET_PREFIX = '/assets/portal/';

export function portalAssetUrl(name: PortalAssetName): string {
  return `${PORTAL_ASSET_PREFIX}${name}?v=${portalAssets[name].version}`;
}

/** The files as they are served, for a publisher that copies them beside the pages. */
export function portalAssetFiles(): Array<{ name: PortalAssetName; body: Buffer; type: string; version: string }> {
  return (Object.keys(portalAssets) as PortalAssetName[]).map((name) => ({ name, ...portalAssets[name] }));
}

/** GET /assets/portal/:name. Registered once by the portal module's routes (a second call is a no-op). */
export async function portalAssetRoutes(app: FastifyInstance) {
  if (app.hasRoute({ method: 'GET', url: `${PORTAL_ASSET_PREFIX}:name` })) return;
  app.get<{ Params: { name: string } }>(`${PORTAL_ASSET_PREFIX}:name`, { config: { auth: 'public' } }, async (request, reply) => {
    const asset = Object.hasOwn(portalAssets, request.params.name) ? portalAssets[request.params.name as PortalAssetName] : undefined;
    if (!asset) return reply.callNotFound();
    return sendAsset(request, reply, asset);
  });
}
