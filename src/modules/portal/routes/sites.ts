/** Sites and their column trees over HTTP. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import type { Work } from '../../../platform/db/work.ts';
import { inTransactionPublishing } from '../../../platform/static/index.ts';
import { idempotentPublishing } from '../public/publishing.ts';
import { Answer, Id, Nullable, StringEnum, Strict, actorOf, problems } from '../../../platform/http/index.ts';
import { COLUMN_KINDS, LIMITS, MANAGE_PERMISSION, SITE_KINDS } from '../model.ts';
import { PALETTE_COLOURS, TEMPLATES, THEMES } from '../templates.ts';
import { createSite } from '../commands/create-site.ts';
import { updateSite } from '../commands/update-site.ts';
import { createColumn } from '../commands/create-column.ts';
import { updateColumn } from '../commands/update-column.ts';
import { getSite, listSites, siteColumns } from '../queries/sites.ts';

const tags = ['portal'];
const Params = Strict({ id: Id });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Slug = Type.String({ minLength: 1, maxLength: LIMITS.slug, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description: 'lower-case letters, digits and single hyphens' });
const HostName = Type.String({ minLength: 4, maxLength: 253, pattern: '^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$', description: 'the site’s own host name (www.edu.example.gov.cn); its address is then https://<hostName>/' });
const Created = Answer({ id: Type.String(), url: Type.String({ description: 'the public address' }) });
const Any = Answer({});

const SiteBody = Strict({
  name: Text(LIMITS.name),
  kind: StringEnum(SITE_KINDS),
  unitId: Id,
  slug: Slug,
  template: Type.Optional(StringEnum(TEMPLATES, { description: 'the template: its theme and, for the site’s kind, its standard columns (default by kind)' })),
  hostName: Type.Optional(HostName),
});
const NavEntry = Type.Union([Strict({ columnId: Id }), Strict({ label: Text(LIMITS.name), href: Type.String({ minLength: 1, maxLength: LIMITS.url }) })]);
const Footer = Strict({
  sponsor: Type.Optional(Type.String({ maxLength: LIMITS.name, description: '主办单位' })),
  icp: Type.Optional(Type.String({ maxLength: 40, description: 'ICP备案号, e.g. 湘ICP备12345678号' })),
  publicSecurity: Type.Optional(Type.String({ maxLength: 40, description: '公安机关备案号, e.g. 湘公网安备 43040002000123号' })),
  accessibility: Type.Optional(Type.String({ maxLength: 2000, description: 'accessibility statement' })),
  contact: Type.Optional(Strict({ address: Type.Optional(Type.String({ maxLength: 200 })), phone: Type.Optional(Type.String({ maxLength: 20 })), email: Type.Optional(Type.String({ maxLength: 100 })) })),
});
const SitePatchBody = Strict(
  {
    name: Type.Optional(Text(LIMITS.name)),
    hostName: Type.Optional(Nullable(HostName)),
    theme: Type.Optional(StringEnum(THEMES, { description: 'the theme of the public pages' })),
    primaryColor: Type.Optional(StringEnum(PALETTE_COLOURS, { description: 'a colour of the accessible palette (WCAG 2.1 AA in every theme)' })),
    logoFileId: Type.Optional(Nullable(Id)),
    navigation: Type.Optional(Type.Array(NavEntry, { maxItems: 30 })),
    footer: Type.Optional(Footer),
  },
  { minProperties: 1 },
);

const ColumnFields = {
  name: Text(LIMITS.name),
  slug: Slug,
  kind: StringEnum(COLUMN_KINDS),
  parentId: Type.Optional(Nullable(Id)),
  shared: Type.Optional(Type.Boolean({ description: 'a shared column of the main site: accepts articles pushed by sub-sites' })),
  needsReview: Type.Optional(Type.Boolean({ description: 'articles need another editor’s approval (default true)' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 5, maximum: 100, description: 'list page size, default 20' })),
  externalUrl: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.url, description: 'the target of an external_link column: http(s) or an address here (/services)' }))),
  editorIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true, description: 'accounts that may write in it; empty: every editor of the site’s unit' })),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
};
const ColumnBody = Strict(ColumnFields);
const ColumnPatchBody = Strict(
  {
    name: Type.Optional(ColumnFields.name),
    slug: Type.Optional(Slug),
    shared: ColumnFields.shared,
    needsReview: ColumnFields.needsReview,
    pageSize: ColumnFields.pageSize,
    externalUrl: ColumnFields.externalUrl,
    editorIds: ColumnFields.editorIds,
    position: ColumnFields.position,
  },
  { minProperties: 1 },
);

export async function siteRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const write = <T>(request: FastifyRequest, fn: (work: Work) => Promise<T>) => inTransactionPublishing(platform, actorOf(request), fn);

  api.post(
    '/api/v1/portal/sites',
    {
      schema: {
        operationId: 'createPortalSite',
        tags,
        summary: 'Create a site from a template, with its standard column structure',
        description: 'sysadmin for any unit, a unit_admin for the units in its scope (else 404). One main site per installation (409 PORTAL_MAIN_SITE_EXISTS); its address is /, a sub-site’s /s/<slug>/ unless it has its own host name.',
        body: SiteBody,
        response: { 201: Created, ...problems(409, 422) },
      },
      config: { auth: MANAGE_PERMISSION },
    },
    async (request, reply) => {
      const result = await idempotentPublishing(platform, request, actorOf(request), async (work) => {
        const made = await createSite(work, platform, request.principal!, request.body);
        return { status: 201 as const, body: made };
      });
      return reply.status(201).send(result.body);
    },
  );

  api.get(
    '/api/v1/portal/sites',
    { schema: { operationId: 'listPortalSites', tags, summary: 'The sites the caller may edit (sysadmin: every site), the main site first', response: { 200: Answer({ items: Type.Array(Any) }) } }, config: { auth: 'user' } },
    async (request) => listSites(platform.db, request.principal!),
  );

  api.get(
    '/api/v1/portal/sites/:id',
    { schema: { operationId: 'getPortalSite', tags, summary: 'One site with its settings', params: Params, response: { 200: Any } }, config: { auth: 'user' } },
    async (request) => getSite(platform.db, request.principal!, request.params.id),
  );

  api.patch(
    '/api/v1/portal/sites/:id',
    {
      schema: {
        operationId: 'updatePortalSite',
        tags,
        summary: 'Change a site’s name, theme, colour, logo, navigation or footer (host name: sysadmin and unit_admin only)',
        params: Params,
        body: SitePatchBody,
        response: { 200: Any, ...problems(409, 422) },
      },
      config: { auth: 'user' },
    },
    async (request) => write(request, (work) => updateSite(work, platform, request.principal!, request.params.id, request.body)),
  );

  api.get(
    '/api/v1/portal/sites/:id/columns',
    { schema: { operationId: 'listPortalColumns', tags, summary: 'The site’s column tree (children nested, in order)', params: Params, response: { 200: Answer({ siteId: Type.String(), url: Type.String(), items: Type.Array(Any) }) } }, config: { auth: 'user' } },
    async (request) => siteColumns(platform.db, request.principal!, request.params.id),
  );

  api.post(
    '/api/v1/portal/sites/:id/columns',
    {
      schema: {
        operationId: 'createPortalColumn',
        tags,
        summary: 'Add a column (at most three levels: a fourth is 422 PORTAL_COLUMN_TOO_DEEP)',
        description: 'Slug unique among siblings (409 PORTAL_SLUG_TAKEN); a first-level slug of the main site may not take a platform address (422 PORTAL_SLUG_RESERVED).',
        params: Params,
        body: ColumnBody,
        response: { 201: Created, ...problems(409, 422) },
      },
      config: { auth: 'user' },
    },
    async (request, reply) => {
      const result = await idempotentPublishing(platform, request, actorOf(request), async (work) => ({ status: 201 as const, body: await createColumn(work, platform, request.principal!, request.params.id, request.body) }));
      return reply.status(201).send(result.body);
    },
  );

  api.patch(
    '/api/v1/portal/columns/:id',
    { schema: { operationId: 'updatePortalColumn', tags, summary: 'Change a column; a new slug moves its address and every address under it', params: Params, body: ColumnPatchBody, response: { 200: Any, ...problems(409, 422) } }, config: { auth: 'user' } },
    async (request) => write(request, (work) => updateColumn(work, platform, request.principal!, request.params.id, request.body)),
  );
}
