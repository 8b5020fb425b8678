/**
 * A small installation for the module's tests: a city government office that dispatches, two
 * departments and a town under one of them, each with its responder and leader, a hotline office
 * with its operator, and a way to receive a case as the public routes and the hotline do.
 */
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { makeUnit, makeUser, seedRegions, type TestUser } from '../../../test/helpers.ts';
import { receiveCase, type CaseInput } from './commands/receive-case.ts';

export interface InteractionFixture {
  office: { id: string; responder: TestUser; leader: TestUser };
  dept: { id: string; responder: TestUser; leader: TestUser };
  other: { id: string; responder: TestUser; leader: TestUser };
  town: { id: string; responder: TestUser; leader: TestUser };
  hotline: { id: string; operator: TestUser };
  moderator: TestUser;
  supervisor: TestUser;
}

/** Seeds the regions and units; call with a context created with `ZT_INTERACTION_DISPATCHER` unset (the office is found as the top government's). */
export async function interactionFixture(platform: Platform): Promise<InteractionFixture> {
  await seedRegions(platform);
  const staffed = async (name: string, region = '990100', kind: 'government' | 'department' | 'town' = 'department') => {
    const unit = await makeUnit(platform, name, region, kind);
    return { id: unit.id, responder: await makeUser(platform, unit.id, ['responder']), leader: await makeUser(platform, unit.id, ['unit_leader']) };
  };
  const office = await staffed(`测试市人民政府办公室${process.pid}`, '990100', 'government');
  const dept = await staffed(`测试市人力资源和社会保障局${process.pid}`);
  const other = await staffed(`测试市住房和城乡建设局${process.pid}`);
  const town = await staffed(`甲县甲镇人民政府${process.pid}`, '990102001', 'town');
  const hotlineUnit = await makeUnit(platform, `测试市12345热线${process.pid}`, '990100', 'department');
  const operator = await makeUser(platform, hotlineUnit.id, [{ role: 'hotline_operator', scope: { regionCode: '990100' } }]);
  const moderator = await makeUser(platform, office.id, ['editor']);
  const supervisor = await makeUser(platform, office.id, [{ role: 'supervisor', scope: { regionCode: '990100' } }]);
  return { office, dept, other, town, hotline: { id: hotlineUnit.id, operator }, moderator, supervisor };
}

/** Receives a case as a citizen's letter (no account) or a hotline ticket (`actor`: the operator). */
export async function receiveTestCase(platform: Platform, input: Partial<CaseInput> & Pick<CaseInput, 'channel'>, actor?: TestUser) {
  const full: CaseInput = { title: '小区路灯不亮', body: '幸福小区三号楼前的路灯坏了一个月，晚上出行不便。', name: '张三丰', phone: '13800138000', isPublic: true, ...input };
  const who = actor ? { ...SYSTEM_ACTOR, userId: actor.id, username: actor.username, unitId: actor.unitId } : SYSTEM_ACTOR;
  return inTransaction(platform.db, who, (work) => receiveCase(work, platform, full));
}

/** Keeps the cookies a page answer sets in `jar` and gives the Cookie header of them all. */
export function cookieOf(res: { cookies: Array<{ name: string; value: string }> }, jar: Record<string, string>): string {
  for (const c of res.cookies) jar[c.name] = c.value;
  return Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

/** The visitor's form token in a public page's form. */
export const formTokenOf = (html: string) => /name="_form" value="([^"]+)"/.exec(html)?.[1] ?? '';
