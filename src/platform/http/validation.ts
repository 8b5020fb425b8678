import { Ajv, type AnySchema, type Options, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import localize from 'ajv-i18n';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { Lang } from '../i18n/index.ts';
import { AppError, type FieldError } from './errors.ts';

const common: Options = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  strict: false,
  keywords: ['example'],
};

// Bodies are taken as typed: "12" is not a number. Query strings and path parameters are
// text by nature, so they are coerced.
const bodyAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
const textAjv = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<AnySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<AnySchema>>;
};

/**
 * Also handed to Fastify's schema controller at construction (see buildApp): a plugin scope that
 * registers shared schemas with addSchema would otherwise build Fastify's default validator,
 * which coerces body types.
 */
export function installValidators(app: FastifyInstance) {
  app.setValidatorCompiler(validatorCompiler);
}

/** Turns Ajv's errors into field errors in the caller's language. */
export function validationFieldErrors(errors: ErrorObject[], context: string, lang: Lang): FieldError[] {
  const copy = errors.map((e) => ({ ...e }));
  if (lang === 'zh-CN') (localize as unknown as Record<string, (e: ErrorObject[]) => void>).zh(copy);
  return copy.map((e) => {
    let path = `${context}${e.instancePath.replace(/\//g, '.')}`;
    if (e.keyword === 'required') path += `.${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') path += `.${(e.params as { additionalProperty: string }).additionalProperty}`;
    const text = e.message ?? e.keyword;
    return { path, message: { 'zh-CN': text, en: text } };
  });
}

const compiledBodies = new WeakMap<object, ReturnType<typeof bodyAjv.compile>>();

/**
 * Checks a body against a schema chosen after routing (the owning module's, for a route the
 * platform serves for many modules): the same rules and the same field errors as a route's own
 * body schema.
 */
export function validateBody<T extends Record<string, unknown>>(schema: object, body: unknown, lang: Lang): T {
  let validate = compiledBodies.get(schema);
  if (!validate) compiledBodies.set(schema, (validate = bodyAjv.compile(schema)));
  if (!validate(body)) throw new AppError('VALIDATION_FAILED', { errors: validationFieldErrors(validate.errors ?? [], 'body', lang) });
  return body as T;
}
