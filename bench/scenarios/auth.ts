import { performance } from 'node:perf_hooks';
import { benchServer, machine, percentile, runAutocannon } from '../support.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../src/platform/db/work.ts';
import { createRegion, createUnit } from '../../src/platform/org/service.ts';
import { createStaffUser, grantRolesBySystem, createApiToken } from '../../src/platform/iam/index.ts';

const PASSWORD = 'Bench#Passw0rd';

async function seed(platform: Awaited<ReturnType<typeof benchServer>>['platform'], users: number) {
  const unit = await inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    await createRegion(work, { code: '330000', name: '基准省', level: 'province' });
    await createRegion(work, { code: '330100', name: '基准市', level: 'city', parentCode: '330000' });
    return createUnit(work, { name: '基准局', regionCode: '330100', kind: 'department' });
  });
  const names: string[] = [];
  for (let i = 0; i < users; i++) {
    const user = await inTransaction(platform.db, SYSTEM_ACTOR, (work) => createStaffUser(work, platform, null, { username: `bench${i}`, displayName: `基准${i}`, password: PASSWORD, unitId: unit.id }, { mustChangePassword: false }));
    await inTransaction(platform.db, SYSTEM_ACTOR, (work) => grantRolesBySystem(work, user.id, [{ role: 'approver', scope: { unitId: unit.id } }]));
    names.push(user.username);
  }
  return names;
}

/** Login latency, argon2id included: sequential and with two clients at once. */
export async function loginScenario() {
  const server = await benchServer();
  try {
    const names = await seed(server.platform, 20);
    const once = async (username: string) => {
      const start = performance.now();
      const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
      if (res.status !== 200) throw new Error(`login answered ${res.status}`);
      await res.arrayBuffer();
      return performance.now() - start;
    };
    for (let i = 0; i < 10; i++) await once(names[i % names.length]);
    const sequential: number[] = [];
    for (let i = 0; i < 200; i++) sequential.push(await once(names[i % names.length]));
    const parallel: number[] = [];
    for (let i = 0; i < 100; i++) parallel.push(...(await Promise.all([once(names[(2 * i) % 20]), once(names[(2 * i + 1) % 20])])));
    for (const [label, samples] of [['sequential', sequential], ['2 concurrent', parallel]] as const) {
      const sorted = [...samples].sort((a, b) => a - b);
      console.log(`login ${label}: n=${sorted.length} p50=${percentile(sorted, 50).toFixed(1)} ms p95=${percentile(sorted, 95).toFixed(1)} ms p99=${percentile(sorted, 99).toFixed(1)} ms (budget p95 < 150 ms)`);
    }
    console.log(`machine: ${machine()}`);
  } finally {
    await server.close();
  }
}

/**
 * Whether the time of a refused sign-in tells a known name from an unknown one: wrong passwords for
 * existing accounts and for names that are none, interleaved, each from its own address (behind
 * a trusted proxy on loopback) so that no throttling wait comes in between.
 */
export async function signinTimingScenario(args: string[]) {
  const server = await benchServer({ env: { ZT_TRUST_PROXY: 'loopback' } });
  try {
    const rounds = Number(args[0] ?? 300);
    const names = await seed(server.platform, 20);
    let address = 0;
    const refused = async (username: string) => {
      address++;
      const start = performance.now();
      const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}` },
        body: JSON.stringify({ username, password: 'Wrong#Passw0rd' }),
      });
      const body = await res.text();
      if (res.status !== 401) throw new Error(`a wrong password answered ${res.status} ${body}`);
      return performance.now() - start;
    };
    for (let i = 0; i < 20; i++) await refused(i % 2 ? names[i % names.length]! : `nobody${i}`);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < rounds; i++) {
      known.push(await refused(names[i % names.length]!));
      unknown.push(await refused(`nobody-${i}`));
    }
    const p50s = [known, unknown].map((samples) => percentile([...samples].sort((a, b) => a - b), 50));
    const p95s = [known, unknown].map((samples) => percentile([...samples].sort((a, b) => a - b), 95));
    console.log(`refused sign-in, existing account: n=${known.length} p50=${p50s[0]!.toFixed(1)} ms p95=${p95s[0]!.toFixed(1)} ms`);
    console.log(`refused sign-in, no such account: n=${unknown.length} p50=${p50s[1]!.toFixed(1)} ms p95=${p95s[1]!.toFixed(1)} ms`);
    console.log(`p50 difference: ${((Math.abs(p50s[0]! - p50s[1]!) / Math.min(p50s[0]!, p50s[1]!)) * 100).toFixed(1)}% (budget within 10%)`);
    console.log(`machine: ${machine()}`);
  } finally {
    await server.close();
  }
}

/** Throughput of an authenticated GET /api/v1/me (bearer token) on one process. */
export async function meScenario(args: string[]) {
  const server = await benchServer();
  try {
    const [username] = await seed(server.platform, 1);
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const userId = (await login.json()).user.id as string;
    const { token } = await inTransaction(server.platform.db, SYSTEM_ACTOR, (work) => createApiToken(work, server.platform, userId, 'bench', 1));
    const duration = Number(args[0] ?? 10);
    for (const [label, headers] of [['session cookie', { cookie }], ['bearer token', { authorization: `Bearer ${token}` }]] as const) {
      await runAutocannon({ url: `${server.baseUrl}/api/v1/me`, connections: 20, duration: 2, headers });
      const result = await runAutocannon({ url: `${server.baseUrl}/api/v1/me`, connections: 20, pipelining: 1, duration, headers });
      const non2xx = result.non2xx;
      console.log(`GET /api/v1/me (${label}): ${result.requests.average.toFixed(0)} req/s average, latency p50=${result.latency.p50} ms p99=${result.latency.p99} ms, errors=${result.errors}, non-2xx=${non2xx} (budget > 3,000 req/s)`);
    }
    console.log(`machine: ${machine()} (load generator on the same machine)`);
  } finally {
    await server.close();
  }
}
