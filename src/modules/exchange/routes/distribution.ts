import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Platform } from '../../../platform/module.ts';
import { inTransaction } from '../../../platform/db/work.ts';
import { translate } from '../../../platform/i18n/index.ts';
import { Answer, Id, NoContent, Nullable, StringEnum, Strict, Timestamp, actorOf, notFound, problems } from '../../../platform/http/index.ts';
import { coversUnit } from '../../../platform/iam/principal.ts';
import type { Principal } from '../../../platform/iam/principal.ts';
import { DRAFT_PERMISSION, RECEIPT_STATES, RECEIVE_PERMISSION } from '../model.ts';
import { createGroup, deleteGroup, listGroups, orgDb, updateGroup } from '../groups.ts';
import { sendDocument } from '../commands/send-document.ts';
import { returnReceipt, signReceipt } from '../commands/sign-receipt.ts';
import { recallDocument, remindUnsigned } from '../commands/recall-document.ts';
import { forwardReceipt } from '../commands/forward-receipt.ts';
import { getReceipt, inboxUnit, listInbox, receiptMatrix, senderDocument, toReceiptView, verifyDocument } from '../queries/receipts.ts';

const tags = ['exchange'];
const UnitIds = Type.Array(Id, { maxItems: 5000 });
const Reason = Strict({ reason: Type.String({ minLength: 1, maxLength: 500 }) });
const Params = Strict({ id: Id });
const CountsSchema = Type.Object({ total: Type.Integer(), delivered: Type.Integer(), signed: Type.Integer(), returned: Type.Integer(), recalled: Type.Integer() });
const ReceiptSchema = Answer({
  id: Type.String(),
  documentId: Type.String(),
  unitId: Type.String(),
  copyKind: StringEnum(['main', 'cc']),
  state: StringEnum(RECEIPT_STATES),
  deliveredAt: Timestamp(),
  signedAt: Nullable(Timestamp()),
  returnedAt: Nullable(Timestamp()),
  reason: Nullable(Type.String()),
  signature: Nullable(Type.String({ description: "the receiving unit's SM2 signature over (document hash, unit, signed time), DER hex" })),
});
const GroupSchema = Answer({ id: Type.String(), name: Type.String(), builtIn: Type.Boolean(), ownerUnitId: Nullable(Type.String()), unitIds: Type.Array(Type.String()) });

/** The unit whose groups the caller keeps: the one asked for or the caller's own, if a clerk of it; else 404. */
async function groupOwner(platform: Platform, principal: Principal, unitId: string | undefined): Promise<string> {
  const id = unitId ?? principal.unitId;
  const unit = id ? await orgDb(platform.db).selectFrom('units').select(['id', 'region_code']).where('id', '=', id).executeTakeFirst() : null;
  if (!unit || !coversUnit(principal, DRAFT_PERMISSION, { id: unit.id, regionCode: unit.region_code })) throw notFound();
  return unit.id;
}

export async function distributionRoutes(app: FastifyInstance, platform: Platform) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const work = <T>(request: Parameters<typeof actorOf>[0], fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(platform.db, actorOf(request), fn);

  api.post(
    '/api/v1/exchange/documents/:id/send',
    {
      schema: {
        operationId: 'sendExchangeDocument',
        tags,
        summary: 'Send a signed-off document to every recipient at once, or to none',
        description: 'Groups named in groupIds add their units to the main recipients. An unknown or disabled unit: 422 naming it, nothing sent.',
        params: Params,
        body: Type.Optional(Strict({ groupIds: Type.Optional(Type.Array(Id, { maxItems: 50 })) })),
        response: { 200: Type.Object({ sentTo: Type.Integer() }), ...problems(409, 422) },
      },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request) => work(request, (w) => sendDocument(w, platform, request.principal!, request.params.id, request.body ?? {})),
  );

  api.get(
    '/api/v1/exchange/inbox',
    {
      schema: {
        operationId: 'listExchangeInbox',
        tags,
        summary: "The caller unit's received documents, unsigned first, newest first",
        querystring: Strict({ state: Type.Optional(StringEnum(RECEIPT_STATES)), cursor: Type.Optional(Type.String({ maxLength: 300 })), unitId: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Answer({ id: Type.String({ description: 'the receipt' }), documentId: Type.String(), title: Type.String(), fromUnitId: Type.String(), state: StringEnum(RECEIPT_STATES), deliveredAt: Timestamp(), signedAt: Nullable(Timestamp()) }),
            ),
            next: Nullable(Type.String()),
          }),
        },
      },
      config: { auth: RECEIVE_PERMISSION },
    },
    async (request) => listInbox(platform.db, await inboxUnit(platform.db, request.principal!, request.query.unitId), request.query),
  );

  api.get(
    '/api/v1/exchange/receipts/:id',
    { schema: { operationId: 'getExchangeReceipt', tags, summary: "One receipt of the caller's unit", params: Params, response: { 200: ReceiptSchema } }, config: { auth: RECEIVE_PERMISSION } },
    async (request) => toReceiptView(await getReceipt(platform.db, request.principal!, request.params.id)),
  );

  api.post(
    '/api/v1/exchange/receipts/:id/sign',
    {
      schema: { operationId: 'signExchangeReceipt', tags, summary: 'Sign for a received document (签收): a receipt signed by the receiving unit', params: Params, response: { 200: ReceiptSchema, ...problems(409) } },
      config: { auth: RECEIVE_PERMISSION },
    },
    async (request) => toReceiptView(await work(request, (w) => signReceipt(w, platform, request.principal!, request.params.id))),
  );

  api.post(
    '/api/v1/exchange/receipts/:id/return',
    {
      schema: { operationId: 'returnExchangeReceipt', tags, summary: 'Return a received document with a reason (退回)', params: Params, body: Reason, response: { 200: ReceiptSchema, ...problems(409) } },
      config: { auth: RECEIVE_PERMISSION },
    },
    async (request) => toReceiptView(await work(request, (w) => returnReceipt(w, platform, request.principal!, request.params.id, request.body))),
  );

  api.post(
    '/api/v1/exchange/receipts/:id/forward',
    {
      schema: {
        operationId: 'forwardExchangeReceipt',
        tags,
        summary: 'Forward a signed-for document down to units under the receiving unit (转发)',
        params: Params,
        body: Strict({ unitIds: Type.Array(Id, { minItems: 1, maxItems: 5000 }) }),
        response: { 201: Type.Object({ documentId: Type.String(), sentTo: Type.Integer() }), ...problems(409, 422) },
      },
      config: { auth: RECEIVE_PERMISSION },
    },
    async (request, reply) => reply.status(201).send(await work(request, (w) => forwardReceipt(w, platform, request.principal!, request.params.id, request.body))),
  );

  api.get(
    '/api/v1/exchange/documents/:id/receipts',
    {
      schema: {
        operationId: 'listExchangeReceipts',
        tags,
        summary: "Every recipient's state: the sender's view",
        params: Params,
        response: {
          200: Type.Object({
            items: Type.Array(
              Answer({ unitId: Type.String(), unitName: Type.String(), copyKind: StringEnum(['main', 'cc']), state: StringEnum(RECEIPT_STATES), deliveredAt: Timestamp(), signedAt: Nullable(Timestamp()), returnedAt: Nullable(Timestamp()), reason: Nullable(Type.String()) }),
            ),
            counts: CountsSchema,
          }),
        },
      },
      config: { auth: 'user' },
    },
    async (request) => receiptMatrix(platform.db, (await senderDocument(platform.db, request.principal!, request.params.id)).id),
  );

  api.get(
    '/api/v1/exchange/documents/:id/verify',
    {
      schema: {
        operationId: 'verifyExchangeDocument',
        tags,
        summary: "Recompute the content hash and check the sender's and every receipt's SM2 signature",
        params: Params,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            content: Type.Boolean(),
            signature: Type.Boolean(),
            receipts: Type.Object({ signed: Type.Integer(), valid: Type.Integer(), invalid: Type.Array(Type.Object({ id: Type.String(), unitId: Type.String() })) }),
          }),
        },
      },
      config: { auth: 'user' },
    },
    async (request) => verifyDocument(platform.db, platform, request.principal!, request.params.id),
  );

  api.post(
    '/api/v1/exchange/documents/:id/recall',
    {
      schema: { operationId: 'recallExchangeDocument', tags, summary: 'Recall a sent document while no unit has signed for it', params: Params, body: Reason, response: { 200: Type.Object({ recalled: Type.Integer() }), ...problems(409) } },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request) => work(request, (w) => recallDocument(w, platform, request.principal!, request.params.id, request.body)),
  );

  api.post(
    '/api/v1/exchange/documents/:id/remind',
    {
      schema: { operationId: 'remindExchangeRecipients', tags, summary: 'Remind the units that have not signed (催办)', params: Params, response: { 200: Type.Object({ reminded: Type.Integer() }), ...problems(409) } },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request) => work(request, (w) => remindUnsigned(w, platform, request.principal!, request.params.id)),
  );

  const GroupBody = { name: Type.String({ minLength: 1, maxLength: 100 }), unitIds: UnitIds };
  api.get(
    '/api/v1/exchange/groups',
    {
      schema: { operationId: 'listExchangeGroups', tags, summary: 'Groups of recipient units: the built-in ones and the unit’s own', querystring: Strict({ unitId: Type.Optional(Id) }), response: { 200: Type.Object({ items: Type.Array(GroupSchema) }) } },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request) => {
      const owner = await groupOwner(platform, request.principal!, request.query.unitId);
      return { items: await listGroups(platform.db, owner, (key) => translate(request.lang, key)) };
    },
  );
  api.post(
    '/api/v1/exchange/groups',
    {
      schema: { operationId: 'createExchangeGroup', tags, summary: 'Save a group of units', body: Strict({ ...GroupBody, unitId: Type.Optional(Id) }), response: { 201: GroupSchema, ...problems(409, 422) } },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request, reply) => {
      const owner = await groupOwner(platform, request.principal!, request.body.unitId);
      return reply.status(201).send(await work(request, (w) => createGroup(w, owner, request.body, platform.clock.now())));
    },
  );
  api.patch(
    '/api/v1/exchange/groups/:id',
    {
      schema: { operationId: 'updateExchangeGroup', tags, summary: 'Rename a saved group or change its units', params: Params, body: Strict({ name: Type.Optional(GroupBody.name), unitIds: Type.Optional(UnitIds) }), response: { 200: GroupSchema, ...problems(409, 422) } },
      config: { auth: DRAFT_PERMISSION },
    },
    async (request) => {
      const owner = await groupOwner(platform, request.principal!, undefined);
      return work(request, (w) => updateGroup(w, owner, request.params.id, request.body, platform.clock.now()));
    },
  );
  api.delete(
    '/api/v1/exchange/groups/:id',
    { schema: { operationId: 'deleteExchangeGroup', tags, summary: 'Delete a saved group', params: Params, response: { 204: NoContent } }, config: { auth: DRAFT_PERMISSION } },
    async (request, reply) => {
      const owner = await groupOwner(platform, request.principal!, undefined);
      await work(request, (w) => deleteGroup(w, owner, request.params.id, platform.clock.now()));
      return reply.status(204).send();
    },
  );
}
