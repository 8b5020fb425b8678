import { registerMessages, translate, type Lang, type MessageCatalogue } from '../i18n/index.ts';

/**
 * The one catalogue of error codes. Codes are stable: integrators match on them.
 * Messages live in the i18n catalogue under `error.<CODE>`.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, zh: '提交的内容不符合要求', en: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, zh: '请求格式错误，无法解析', en: 'The request could not be parsed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容超过大小限制', en: 'The request body is too large' },
  URI_TOO_LONG: { status: 414, zh: '请求地址过长', en: 'The request address is too long' },
  HEADERS_TOO_LARGE: { status: 431, zh: '请求头过大', en: 'The request headers are too large' },
  AUTH_REQUIRED: { status: 401, zh: '请先登录', en: 'Please sign in' },
  AUTH_INVALID: { status: 401, zh: '用户名或密码错误', en: 'Wrong username or password' },
  AUTH_THROTTLED: { status: 429, zh: '登录失败次数过多，请稍后再试', en: 'Too many failed sign-ins; try again later' },
  AUTH_SECOND_FACTOR_REQUIRED: { status: 401, zh: '该账号近期多次登录失败，需要第二种验证方式', en: 'This account had many failed sign-ins: a second factor is needed' },
  AUTH_LOCKED: { status: 423, zh: '连续登录失败次数过多，账号已临时锁定', en: 'Too many failed sign-ins: the account is locked for a while' },
  AUTH_DISABLED: { status: 403, zh: '账号已停用', en: 'The account is disabled' },
  TOTP_REQUIRED: { status: 401, zh: '需要输入动态验证码', en: 'A one-time code is required' },
  TOTP_INVALID: { status: 401, zh: '动态验证码错误或已使用', en: 'The one-time code is wrong or already used' },
  SESSION_EXPIRED: { status: 401, zh: '会话已过期，请重新登录', en: 'Your session has expired; please sign in again' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '首次登录须先修改密码', en: 'You must change your password first' },
  PASSWORD_WEAK: { status: 422, zh: '密码强度不足：至少 8 位，且包含大写字母、小写字母、数字、符号中的三类', en: 'Password too weak: at least 8 characters from 3 of: upper case, lower case, digits, symbols' },
  CSRF_INVALID: { status: 403, zh: '缺少或错误的 CSRF 令牌', en: 'Missing or wrong CSRF token' },
  FORBIDDEN: { status: 403, zh: '没有执行此操作的权限', en: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, zh: '找不到请求的对象', en: 'Not found' },
  CONFLICT: { status: 409, zh: '对象已被他人修改或状态已变化，请刷新后重试', en: 'Someone else changed this first; reload and try again' },
  DUPLICATE: { status: 409, zh: '已存在相同的记录', en: 'A record with the same key already exists' },
  IDEMPOTENCY_MISMATCH: { status: 422, zh: '同一幂等键提交了不同的内容', en: 'The same Idempotency-Key was used with a different request' },
  INVALID_STATE: { status: 409, zh: '当前状态下不能执行此操作', en: 'This action is not allowed in the current state' },
  ROLE_CONFLICT: { status: 422, zh: '系统管理员、安全管理员、审计管理员三种角色不能由同一人兼任', en: 'The system, security and audit administrator roles cannot be held together' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  FILE_TYPE_NOT_ALLOWED: { status: 415, zh: '不允许上传此类型的文件', en: 'This type of file is not allowed' },
  FILE_ARCHIVE_REFUSED: { status: 422, zh: '压缩包未通过检查，不能作为附件', en: 'The archive did not pass inspection and cannot be attached' },
  IMPORT_FAILED: { status: 422, zh: '导入文件有错误，未导入任何数据', en: 'The import file has errors; nothing was imported' },
  INTERNAL: { status: 500, zh: '服务器内部错误，请联系管理员', en: 'Internal error; please contact the administrator' },
  UNAVAILABLE: { status: 503, zh: '服务暂不可用', en: 'Service unavailable' },
} as const satisfies Record<string, ErrorDefinition>;

export interface ErrorDefinition {
  status: number;
  zh: string;
  en: string;
}

/** The platform's generic codes. */
export type PlatformErrorCode = keyof typeof ERROR_CATALOGUE;
/** A module's own code, declared in its manifest: '<MODULE>_<WHAT>' in upper snake case. */
export type ModuleErrorCode = `${Uppercase<string>}_${Uppercase<string>}`;
export type ErrorCode = PlatformErrorCode | ModuleErrorCode;

const definitions = new Map<string, ErrorDefinition>(Object.entries(ERROR_CATALOGUE));

/**
 * Adds a module's error codes (buildApp does it from the manifests). A module's code must carry
 * its module's prefix; a code defined twice differently is a programming error.
 */
export function registerErrorCodes(module: string, codes: Record<string, ErrorDefinition>) {
  const prefix = `${module.toUpperCase()}_`;
  for (const [code, definition] of Object.entries(codes)) {
    if (!code.startsWith(prefix) || !/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`error code ${code} of module ${module} must start with ${prefix}`);
    const existing = definitions.get(code);
    if (existing && JSON.stringify(existing) !== JSON.stringify(definition)) throw new Error(`error code ${code} defined twice`);
    definitions.set(code, definition);
  }
  registerMessages(errorMessages(codes));
}

export function errorDefinition(code: string): ErrorDefinition | undefined {
  return definitions.get(code);
}

const errorMessages = (codes: Record<string, ErrorDefinition>) => ({
  'zh-CN': Object.fromEntries(Object.entries(codes).map(([code, e]) => [`error.${code}`, e.zh])),
  en: Object.fromEntries(Object.entries(codes).map(([code, e]) => [`error.${code}`, e.en])),
});

/** The platform's error titles and the HTTP layer's own strings. */
export const httpMessages: MessageCatalogue[] = [
  errorMessages(ERROR_CATALOGUE),
  {
    'zh-CN': { 'http.idempotencyKeyInvalid': 'Idempotency-Key 须为 1 到 200 个可见 ASCII 字符', 'http.cursorInvalid': '分页游标无效，请从第一页重新开始' },
    en: { 'http.idempotencyKeyInvalid': 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'http.cursorInvalid': 'The page cursor is not valid; start again from the first page' },
  },
];

/** A message given either as a catalogue key with parameters or as ready text per language. */
export type Message = { key: string; params?: Record<string, unknown> } | { 'zh-CN': string; en: string };

export interface FieldError {
  path: string;
  message: Message;
}

export function renderMessage(message: Message, lang: Lang): string {
  if ('key' in message) return translate(lang, message.key, message.params);
  return message[lang];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detailMessage?: Message;
  readonly fieldErrors?: FieldError[];
  readonly extra?: Record<string, unknown>;

  constructor(code: ErrorCode, options: { detail?: Message; errors?: FieldError[]; extra?: Record<string, unknown> } = {}) {
    super(code);
    this.code = code;
    const definition = errorDefinition(code);
    // An undeclared code is a programming error: its module's manifest must declare it.
    if (!definition) throw new Error(`error code ${code} is not declared by any installed module`);
    this.status = definition.status;
    this.detailMessage = options.detail;
    this.fieldErrors = options.errors;
    this.extra = options.extra;
  }

  toProblem(lang: Lang, instance?: string) {
    const title = translate(lang, `error.${this.code}`);
    return {
      type: `https://zhengtong.org.cn/problems/${this.code.toLowerCase().replace(/_/g, '-')}`,
      title,
      status: this.status,
      code: this.code,
      detail: this.detailMessage ? renderMessage(this.detailMessage, lang) : title,
      ...(instance ? { instance } : {}),
      ...(this.fieldErrors ? { errors: this.fieldErrors.map((e) => ({ path: e.path, message: renderMessage(e.message, lang) })) } : {}),
      ...(this.extra ?? {}),
    };
  }
}

/** Shorthands used across services. */
export const notFound = (detail?: Message) => new AppError('NOT_FOUND', { detail });
export const forbidden = (detail?: Message) => new AppError('FORBIDDEN', { detail });
export const conflict = (detail?: Message) => new AppError('CONFLICT', { detail });
export const invalid = (errors: FieldError[], detail?: Message) => new AppError('VALIDATION_FAILED', { errors, detail });
export const fieldError = (path: string, key: string, params?: Record<string, unknown>): FieldError => ({ path, message: { key, params } });
