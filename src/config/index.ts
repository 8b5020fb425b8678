import net from 'node:net';
import path from 'node:path';
import { DEFAULT_WORKING_HOURS, parseWorkingHours, type WorkingPeriod } from '../platform/calendar/working-hours.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL server; when unset the embedded database in dataDir is used. */
  databaseUrl: string | null;
  /** Named (prepared) statements on PostgreSQL; off behind a pooler in transaction mode. */
  preparedStatements: boolean;
  demo: boolean;
  demoPassword: string | null;
  /** The city (or county) the portal serves, e.g. 云川市 (ZT_CITY_NAME); else the demo city's when loaded. */
  cityName: string | null;
  /** How many past cases the demo city is given on its first load (ZT_DEMO_CASES). */
  demoCases: number;
  production: boolean;
  logLevel: LogLevel;
  /** Public base URL used in links (notifications, QR codes). */
  publicUrl: string;
  /** Set when TLS terminates in front of the server: enables HSTS and Secure cookies. */
  behindTls: boolean;
  /**
   * Which peers may tell the client's address in X-Forwarded-For, as Fastify's `trustProxy` takes
   * it: false (none), a hop count, or the proxies' addresses and networks. Never "everyone".
   */
  trustProxy: false | number | string[];
  uploadLimitBytes: number;
  /** Limits an uploaded archive (zip, 7z, rar) is held to; a module may set tighter ones. */
  archiveLimits: { maxEntries: number; maxUncompressedBytes: number; maxRatio: number };
  /** S3-compatible object storage for attachments; null keeps them on local disk under dataDir. */
  s3: S3Config | null;
  /** Sign-in attempts per client address per minute (on top of the per-account lock). */
  loginRateLimitPerMinute: number;
  smtp: { url: string | null; from: string };
  sms: { url: string | null; token: string | null };
  /** Run periodic jobs (deadline scans, outbox delivery) in this process. */
  runJobs: boolean;
  /** Secret for field encryption (SM4); generated into dataDir when unset. */
  fieldKeyHex: string | null;
  /** The audit chain's key (ZT_AUDIT_KEY, 64 hex characters); generated into dataDir/keys/audit.key when unset. */
  auditKeyHex: string | null;
  /** The database owner's URL for `zt migrate` (ZT_MIGRATE_DATABASE_URL): migrations run as it and grant the server's role. */
  migrateDatabaseUrl: string | null;
  /** Business modules to run (ZT_MODULES); the platform always runs. */
  modules: string[] | 'all';
  /** The working day's hours (ZT_WORKING_HOURS), in which short time limits are watched. */
  workingHours: readonly WorkingPeriod[];
  /** When an unsigned received document is chased (催办): working hours for urgent ones, working days otherwise. */
  exchangeChase: { urgentWorkingHours: number; normalWorkingDays: number };
  /** The unit that dispatches the mayor's letters (ZT_INTERACTION_DISPATCHER: a unit id or credit code); unset: the office of the top government. */
  interactionDispatcher: string | null;
  /** Largest attachment a citizen uploads to a letter without signing in (ZT_INTERACTION_UPLOAD_LIMIT_MB, 10 MB; never more than the upload limit). */
  interactionUploadLimitBytes: number;
}

export interface S3Config {
  /** Endpoint of an S3-compatible service (MinIO, Ceph...); null means AWS itself. */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** Both null: the SDK's own credential chain (environment, instance role). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

export class ConfigError extends Error {
  constructor(
    public readonly setting: string,
    message: string,
  ) {
    super(`Invalid setting ${setting}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `expected 1 or 0 (true/false), got "${raw}"`);
}

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

/** An IPv4 or IPv6 address, optionally with a prefix length (10.0.1.0/24, fd00::/8). */
function isAddressOrNetwork(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const version = net.isIP(address!);
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * ZT_TRUST_PROXY: the proxies whose X-Forwarded-For is believed. A number is a hop count (1: the
 * one proxy in front); otherwise addresses, networks and the words loopback, linklocal and
 * uniquelocal, comma-separated. The client's address is then the first hop, from the right, that is
 * not a trusted proxy: a caller cannot choose its address by sending the header itself. "true"
 * (trust whoever sends the header) is refused.
 */
function trustedProxies(raw: string | undefined): false | number | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError('ZT_TRUST_PROXY', `a hop count from 1 to 10, got ${value}`);
    return hops;
  }
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) {
    throw new ConfigError('ZT_TRUST_PROXY', 'name the proxies in front (10.0.0.5,10.0.1.0/24) or their number (1): trusting every sender of X-Forwarded-For lets a caller choose its own address');
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.filter((entry) => !PROXY_KEYWORDS.includes(entry) && !isAddressOrNetwork(entry));
  if (wrong.length) throw new ConfigError('ZT_TRUST_PROXY', `not an address, network or hop count: ${wrong.join(', ')}`);
  return entries;
}

const S3_SETTINGS = ['ZT_S3_ENDPOINT', 'ZT_S3_BUCKET', 'ZT_S3_REGION', 'ZT_S3_ACCESS_KEY', 'ZT_S3_SECRET_KEY'];

/** Attachments go to S3 as soon as any ZT_S3_* setting is given; then the set must be complete. */
function s3Config(env: Env): S3Config | null {
  if (!S3_SETTINGS.some((name) => env[name])) return null;
  const endpoint = env.ZT_S3_ENDPOINT || null;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError('ZT_S3_ENDPOINT', `not a URL: "${endpoint}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('ZT_S3_ENDPOINT', 'must start with http:// or https://');
  }
  const bucket = env.ZT_S3_BUCKET;
  if (!bucket) throw new ConfigError('ZT_S3_BUCKET', 'required when any ZT_S3_* setting is given');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError('ZT_S3_BUCKET', `"${bucket}" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)`);
  }
  const region = env.ZT_S3_REGION || 'us-east-1';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(region)) throw new ConfigError('ZT_S3_REGION', `"${region}" is not a region name (lower-case letters, digits, hyphens)`);
  const accessKeyId = env.ZT_S3_ACCESS_KEY || null;
  const secretAccessKey = env.ZT_S3_SECRET_KEY || null;
  if (accessKeyId && !secretAccessKey) throw new ConfigError('ZT_S3_SECRET_KEY', 'required together with ZT_S3_ACCESS_KEY');
  if (secretAccessKey && !accessKeyId) throw new ConfigError('ZT_S3_ACCESS_KEY', 'required together with ZT_S3_SECRET_KEY');
  return { endpoint, bucket, region, accessKeyId, secretAccessKey };
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks every setting; throws ConfigError naming the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const demoPassword = env.ZT_DEMO_PASSWORD || null;
  const cityName = env.ZT_CITY_NAME?.trim() || null;
  if (cityName && cityName.length > 30) throw new ConfigError('ZT_CITY_NAME', 'at most 30 characters, e.g. 云川市');
  const fieldKeyHex = env.ZT_FIELD_KEY || null;
  if (fieldKeyHex && !/^[0-9a-fA-F]{32}$/.test(fieldKeyHex)) {
    throw new ConfigError('ZT_FIELD_KEY', 'must be 32 hexadecimal characters (an SM4 key)');
  }
  const auditKeyHex = env.ZT_AUDIT_KEY || null;
  if (auditKeyHex && !/^[0-9a-fA-F]{64}$/.test(auditKeyHex)) {
    throw new ConfigError('ZT_AUDIT_KEY', 'must be 64 hexadecimal characters (32 random bytes, e.g. `openssl rand -hex 32`)');
  }
  const migrateDatabaseUrl = env.ZT_MIGRATE_DATABASE_URL || null;
  if (migrateDatabaseUrl && !/^postgres(ql)?:\/\//.test(migrateDatabaseUrl)) {
    throw new ConfigError('ZT_MIGRATE_DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const publicUrl = (env.ZT_PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError('ZT_PUBLIC_URL', `not a URL: "${publicUrl}"`);
  }
  return {
    port,
    host,
    dataDir: path.resolve(env.ZT_DATA_DIR || './data'),
    databaseUrl,
    preparedStatements: flag(env, 'ZT_DB_PREPARED_STATEMENTS', true),
    demo: flag(env, 'ZT_DEMO', !production),
    demoPassword,
    cityName,
    demoCases: integer(env, 'ZT_DEMO_CASES', 300, 0, 5000),
    production,
    logLevel,
    publicUrl,
    behindTls: flag(env, 'ZT_BEHIND_TLS', false),
    trustProxy: trustedProxies(env.ZT_TRUST_PROXY),
    uploadLimitBytes: integer(env, 'ZT_UPLOAD_LIMIT_MB', 50, 1, 10240) * 1024 * 1024,
    archiveLimits: {
      maxEntries: integer(env, 'ZT_ARCHIVE_MAX_ENTRIES', 10_000, 1, 1_000_000),
      maxUncompressedBytes: integer(env, 'ZT_ARCHIVE_MAX_UNCOMPRESSED_MB', 2048, 1, 1_048_576) * 1024 * 1024,
      maxRatio: integer(env, 'ZT_ARCHIVE_MAX_RATIO', 100, 1, 100_000),
    },
    s3: s3Config(env),
    loginRateLimitPerMinute: integer(env, 'ZT_LOGIN_RATE_LIMIT', 30, 1, 1_000_000),
    smtp: { url: env.ZT_SMTP_URL || null, from: env.ZT_MAIL_FROM || 'Zhengtong <noreply@localhost>' },
    sms: { url: env.ZT_SMS_URL || null, token: env.ZT_SMS_TOKEN || null },
    runJobs: flag(env, 'ZT_RUN_JOBS', true),
    fieldKeyHex,
    auditKeyHex,
    migrateDatabaseUrl,
    modules: moduleNames(env.ZT_MODULES),
    workingHours: workingHours(env.ZT_WORKING_HOURS),
    exchangeChase: {
      urgentWorkingHours: integer(env, 'ZT_EXCHANGE_CHASE_URGENT_HOURS', 4, 1, 1000),
      normalWorkingDays: integer(env, 'ZT_EXCHANGE_CHASE_DAYS', 1, 1, 100),
    },
    interactionDispatcher: env.ZT_INTERACTION_DISPATCHER?.trim() || null,
    interactionUploadLimitBytes: integer(env, 'ZT_INTERACTION_UPLOAD_LIMIT_MB', 10, 1, 10240) * 1024 * 1024,
  };
}

/** ZT_WORKING_HOURS: "08:30-12:00,14:00-17:30" (the default), periods of the working day in order. */
function workingHours(value: string | undefined): readonly WorkingPeriod[] {
  if (!value?.trim()) return DEFAULT_WORKING_HOURS;
  const parsed = parseWorkingHours(value);
  if (!parsed) throw new ConfigError('ZT_WORKING_HOURS', `"${value}" is not a list of periods like 08:30-12:00,14:00-17:30 (in order, not overlapping)`);
  return parsed;
}

/** ZT_MODULES: unset or 'all' for every module, 'none' for the platform alone, else a comma-separated list. */
function moduleNames(value: string | undefined): string[] | 'all' {
  const text = (value ?? '').trim();
  if (text === '' || text === 'all') return 'all';
  if (text === 'none') return [];
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new ConfigError('ZT_MODULES', `"${name}" is not a module name (comma-separated lower-case names, 'all' or 'none')`);
  }
  return [...new Set(names)];
}
