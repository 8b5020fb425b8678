export * from './context.ts';
export * from './forms.ts';
export * from './components.tsx';
export * from './layout.tsx';
export * from './nav.ts';
export * from './render.ts';
export { assetUrl, assetRoutes, hashedAsset, sendAsset, type Asset } from './assets.ts';
