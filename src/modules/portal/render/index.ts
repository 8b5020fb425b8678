/** The portal's public page renderers and their view types (the module's own code imports from here). */
export { renderArticle, renderColumnList, renderHome, renderNotFound, renderSearch, renderSinglePage, columnFeedUrl } from './pages.tsx';
export { renderSitePage, type SitePageSpec } from './layout.tsx';
export { renderRss, renderSitemap, renderSitemapIndex, xmlEscape, absoluteUrl, SITEMAP_MAX_URLS } from './feeds.ts';
export { PALETTE, THEMES, themeOf, paletteOf, contrastRatio, themeCss, type Palette, type Theme } from './themes.ts';
export { portalAssetRoutes, portalAssetUrl, portalAssetFiles, PORTAL_ASSET_PREFIX, type PortalAssetName } from './assets.ts';
export type * from './types.ts';
