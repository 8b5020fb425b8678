import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { ConfigError } from '../../config/index.ts';
import { inTransaction, type Actor } from '../db/work.ts';
import type { DemoCity, Platform } from '../module.ts';
import { createRegion, createUnit, getRegion, listUnits, type RegionInput, type Unit } from '../org/service.ts';
import { enableTotpWithSecret, grantRolesBySystem, insertStaffUser } from '../iam/index.ts';
import { findUserByUsername } from '../iam/queries.ts';
import { hashPassword, isStrongPassword } from '../iam/passwords.ts';
import { TOTP_REQUIRED_ROLES, type Role } from '../iam/roles.ts';
import { refreshCityName } from '../site.ts';
import { DEMO_ACCOUNTS, DEMO_CITY, DEMO_COUNTIES, DEMO_PROVINCE, demoCreditCode, demoUnits } from './city.ts';

export const DEMO_ACTOR: Actor = { userId: null, username: 'system:demo', unitId: null, ip: null, requestId: null };
export const DEMO_ACCOUNTS_FILE = 'demo-accounts.txt';

export class DemoRefusedError extends Error {}

export interface DemoLogin {
  username: string;
  role: Role;
  displayName: string;
  unitName: string;
  /** Base32 TOTP secret, for the roles that must sign in with a second factor. */
  totpSecret: string | null;
  /** False when the account already existed: its password and secret were left alone. */
  created: boolean;
}

export interface DemoResult {
  regionsCreated: number;
  unitsCreated: number;
  accounts: DemoLogin[];
  /** The password of the accounts created by this run; null when none was created. */
  password: string | null;
  passwordGenerated: boolean;
  /** Where the logins were written (mode 600), when any account was created. */
  accountsFile: string | null;
}

/** A strong password that is easy to type from a terminal: four groups of letters and digits. */
export function generateDemoPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const bytes = crypto.randomBytes(16);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    const password = `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)) return password;
  }
}

async function findUnitByName(platform: Platform, regionCode: string, name: string): Promise<Unit | null> {
  const { items } = await listUnits(platform.db, { regionCode, q: name, limit: 200 });
  return items.find((u) => u.name === name && u.regionCode === regionCode) ?? null;
}

/**
 * Loads the demo city: regions, units with valid credit codes, and one account per built-in role.
 * Idempotent: what exists already is left as it is. Refused with NODE_ENV=production unless forced.
 */
export async function seedDemo(platform: Platform, options: { forceProduction?: boolean } = {}): Promise<DemoResult> {
  const { config } = platform;
  if (config.production && !options.forceProduction) {
    throw new DemoRefusedError('Demo accounts have known passwords: refused with NODE_ENV=production. Pass --force-production if you really want them.');
  }
  if (config.demoPassword && !isStrongPassword(config.demoPassword)) {
    throw new ConfigError('ZT_DEMO_PASSWORD', 'too weak: at least 8 characters from 3 of upper case, lower case, digits and symbols');
  }

  let regionsCreated = 0;
  let unitsCreated = 0;
  const unitByKey = new Map<string, Unit>();
  await inTransaction(platform.db, DEMO_ACTOR, async (work) => {
    const regions: RegionInput[] = [
      { code: DEMO_PROVINCE.code, name: DEMO_PROVINCE.name, level: 'province', parentCode: null },
      { code: DEMO_CITY.code, name: DEMO_CITY.name, level: 'city', parentCode: DEMO_PROVINCE.code },
    ];
    for (const county of DEMO_COUNTIES) {
      regions.push({ code: county.code, name: county.name, level: 'county', parentCode: DEMO_CITY.code });
      for (const town of county.towns) {
        regions.push({ code: town.code, name: town.name, level: 'town', parentCode: county.code });
        for (const village of town.villages) regions.push({ code: village.code, name: village.name, level: 'village', parentCode: town.code });
      }
    }
    for (const region of regions) {
      if (await getRegion(work.tx, region.code)) continue;
      await createRegion(work, region);
      regionsCreated += 1;
    }
    const scoped = { ...platform, db: work.tx };
    for (const [n, unit] of demoUnits().entries()) {
      const existing = await findUnitByName(scoped, unit.regionCode, unit.name);
      if (existing) {
        unitByKey.set(unit.key, existing);
        continue;
      }
      const created = await createUnit(work, {
        name: unit.name,
        regionCode: unit.regionCode,
        kind: unit.kind,
        parentId: unit.parentKey ? (unitByKey.get(unit.parentKey)?.id ?? null) : null,
        creditCode: demoCreditCode(unit, n),
      });
      unitByKey.set(unit.key, created);
      unitsCreated += 1;
    }
  });

  const password = config.demoPassword ?? generateDemoPassword();
  // One hash for every demo account: they share the password anyway, and thirteen argon2 runs
  // would cost the first start a second and leave their memory with the server.
  let passwordHash: string | null = null;
  const accounts: DemoLogin[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const unit = unitByKey.get(account.unitKey)!;
    const existing = await findUserByUsername(platform.db, account.username);
    if (existing) {
      accounts.push({ username: account.username, role: account.role, displayName: existing.display_name, unitName: unit.name, totpSecret: null, created: false });
      continue;
    }
    passwordHash ??= await hashPassword(password);
    const totpSecret = TOTP_REQUIRED_ROLES.includes(account.role) ? new OTPAuth.Secret({ size: 20 }).base32 : null;
    await inTransaction(platform.db, DEMO_ACTOR, async (work) => {
      const user = await insertStaffUser(work, platform, { username: account.username, displayName: account.displayName, unitId: unit.id, passwordHash: passwordHash! }, { mustChangePassword: false });
      await grantRolesBySystem(work, user.id, [{ role: account.role, scope: account.cityWide ? { regionCode: DEMO_CITY.code } : { unitId: unit.id } }]);
      if (totpSecret) await enableTotpWithSecret(work, platform, user.id, totpSecret);
    });
    accounts.push({ username: account.username, role: account.role, displayName: account.displayName, unitName: unit.name, totpSecret, created: true });
  }

  // Each installed module adds its part (service items, documents …) to the demo city.
  const city: DemoCity = {
    unit(key) {
      const unit = unitByKey.get(key);
      if (!unit) throw new Error(`the demo city has no unit ${key}`);
      return unit;
    },
  };
  for (const module of platform.modules.modules) {
    if (module.demo) await inTransaction(platform.db, DEMO_ACTOR, (work) => module.demo!(work, platform, city));
  }

  // The portal now goes by the demo city's name.
  await refreshCityName(platform, true);

  const anyCreated = accounts.some((a) => a.created);
  let accountsFile: string | null = null;
  if (anyCreated) {
    accountsFile = path.join(config.dataDir, DEMO_ACCOUNTS_FILE);
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(accountsFile, formatDemoLogins({ accounts, password, publicUrl: config.publicUrl }), { mode: 0o600 });
    fs.chmodSync(accountsFile, 0o600);
  }
  return {
    regionsCreated,
    unitsCreated,
    accounts,
    password: anyCreated ? password : null,
    passwordGenerated: anyCreated && !config.demoPassword,
    accountsFile,
  };
}

function pad(text: string, width: number): string {
  // CJK characters take two terminal columns.
  const columns = [...text].reduce((n, ch) => n + (/[\u1100-\uFFFF]/.test(ch) ? 2 : 1), 0);
  return text + ' '.repeat(Math.max(1, width - columns));
}

/** The demo logins as a small table; TOTP secrets with their otpauth:// links for an authenticator app. */
export function formatDemoLogins(input: { accounts: DemoLogin[]; password: string | null; publicUrl?: string }): string {
  const lines: string[] = [];
  const created = input.accounts.filter((a) => a.created);
  if (created.length === 0) return 'Demo accounts already exist; their passwords were not changed.\n';
  lines.push(`Demo accounts (password for all: ${input.password}):`);
  for (const a of created) {
    lines.push(`  ${pad(a.username, 18)}${pad(a.displayName, 8)}${pad(a.unitName, 34)}${a.totpSecret ? `TOTP secret ${a.totpSecret}` : ''}`.trimEnd());
  }
  const withTotp = created.filter((a) => a.totpSecret);
  if (withTotp.length) {
    lines.push('');
    lines.push('The accounts with a TOTP secret sign in with a one-time code too: add the secret to an');
    lines.push('authenticator app (or open the otpauth link below), or print the current code with `npx zt totp SECRET`.');
    for (const a of withTotp) {
      const uri = new OTPAuth.TOTP({ issuer: 'Zhengtong', label: a.username, secret: OTPAuth.Secret.fromBase32(a.totpSecret!) }).toString();
      lines.push(`  ${uri}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
