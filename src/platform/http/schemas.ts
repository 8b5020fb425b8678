import { Type, type TSchema, type TProperties, type ObjectOptions, type TUnknown, type TUnsafe } from '@sinclair/typebox';

/** An object that refuses unknown fields: a misspelt field is an error, not silently dropped. */
export const Strict = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const Id = Type.String({ minLength: 1, maxLength: 64 });

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** RFC 9457 problem details: the body of every refusal, named `Problem` in the OpenAPI document. */
export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri', description: 'identifies the kind of problem; one per code' }),
    title: Type.String({ description: 'short text for the code, in the caller language' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'stable UPPER_SNAKE code from the error catalogue; match on this' }),
    detail: Type.String({ description: 'what went wrong this time, in the caller language' }),
    instance: Type.Optional(Type.String({ description: 'the path that was called' })),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String({ description: 'e.g. body.unitId' }), message: Type.String() }), { description: 'one entry per bad field' })),
  },
  // Some codes carry extension members (RFC 9457 section 3.2): they must reach the caller.
  { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details (application/problem+json)', additionalProperties: true },
);

/*
 * The TypeBox type provider infers request and reply types from the JSON Schema structure of a
 * route's schemas. The helpers below give it the structure to read where the wire schema differs:
 * a reference is typed as the schema it points at, a time as anything a service may hand over.
 */

/** A reference to a schema registered with `app.addSchema` (it has an `$id`), typed as that schema. */
export const Ref = <T extends TSchema>(schema: T): T => Type.Ref((schema as { $id?: string }).$id!) as unknown as T;

/** A string that is one of the given values (an `enum` in the document, a union of literals in TypeScript). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options }) as unknown as TUnsafe<T[number]> & { type: 'string'; enum: [T[number]] };

/**
 * An answer object: lists its fields for the document and the client, and keeps any other field the
 * service adds (fast-json-stringify drops fields a closed schema does not name).
 */
export const Answer = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: true, ...options });

/** A time in an answer: services hand over Date objects, the wire carries ISO 8601 text. */
export const Timestamp = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options }) as unknown as TUnknown;
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The 204 answer: no body (typed loosely so that `reply.status(204).send()` needs no payload). */
export const NoContent = Type.Null({ description: 'No content' }) as unknown as TUnknown;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: VALIDATION_FAILED (with errors[]) or MALFORMED_REQUEST',
  401: 'Not signed in, or the credentials are wrong or expired: AUTH_REQUIRED, AUTH_INVALID, SESSION_EXPIRED, TOTP_REQUIRED, TOTP_INVALID',
  403: 'Signed in but not allowed: FORBIDDEN, CSRF_INVALID, PASSWORD_CHANGE_REQUIRED, AUTH_DISABLED',
  404: 'Not found, or outside the caller scope: NOT_FOUND',
  409: 'Changed by someone else or in the wrong state: CONFLICT, INVALID_STATE, DUPLICATE',
  413: 'The body is too large: PAYLOAD_TOO_LARGE',
  415: 'The content type or file type is not accepted: UNSUPPORTED_MEDIA_TYPE, FILE_TYPE_NOT_ALLOWED',
  422: 'Understood but refused by a rule of the domain (see code and detail)',
  423: 'Locked: AUTH_LOCKED',
  429: 'Too many requests: RATE_LIMITED',
  503: 'Not available now: UNAVAILABLE',
};
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 423 | 429 | 503;

/** The problem+json answer for one status, pointing at the shared `Problem` schema. */
export function problemResponse(status: ProblemStatus, description = PROBLEM_DESCRIPTIONS[status]) {
  return { description, content: { 'application/problem+json': { schema: Ref(Problem) } } };
}

/**
 * The refusals a route declares beyond those every route gets from its shape (400 for any input
 * schema, 401 and 403 for signed-in routes, 404 for path parameters, 413 and 415 for bodies, 429
 * when rate-limited; added by installApiConventions): `response: { 200: Unit, ...problems(409, 422) }`.
 */
export function problems(...statuses: ProblemStatus[]) {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)])) as Record<ProblemStatus, ReturnType<typeof problemResponse>>;
}

