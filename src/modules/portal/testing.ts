import type { Response as LightMyRequestResponse } from 'light-my-request';
import type { ZtModule } from '../../platform/module.ts';

/** The portal tests' city: a main site's office, a department and a county with their editors. */
import { bearer, createTestContext, makeUnit, makeUser, seedRegions, TestClock, type TestContext, type TestUser } from '../../../test/helpers.ts';

export interface PortalFixture {
  ctx: TestContext;
  clock: TestClock;
  units: { office: string; edu: string; county: string; other: string };
  people: {
    sysadmin: TestUser;
    officeEditor: TestUser;
    officeEditor2: TestUser;
    eduEditor: TestUser;
    eduEditor2: TestUser;
    eduAdmin: TestUser;
    countyEditor: TestUser;
    otherEditor: TestUser;
    clerk: TestUser;
  };
  get(user: TestUser | null, url: string, lang?: string): Promise<LightMyRequestResponse>;
  post(user: TestUser | null, url: string, payload: unknown, lang?: string): Promise<LightMyRequestResponse>;
  patch(user: TestUser | null, url: string, payload: unknown, lang?: string): Promise<LightMyRequestResponse>;
}

const shanghai = (wall: string) => new Date(`${wall.replace(' ', 'T')}+08:00`);

export async function portalFixture(options: { modules?: ZtModule[] } = {}): Promise<PortalFixture> {
  const clock = new TestClock(shanghai('2026-12-07 09:00:00'));
  const ctx = await createTestContext({ clock, modules: options.modules });
  await seedRegions(ctx.platform);
  const [office, edu, county, other] = await Promise.all(['市政府办公室', '教育局', '青溪区人民政府办公室', '统计局'].map((name) => makeUnit(ctx.platform, `${name}${process.pid}`)));
  const headers = (user: TestUser | null, lang?: string) => ({ ...(user ? bearer(user) : {}), ...(lang ? { 'accept-language': lang } : {}) });
  return {
    ctx,
    clock,
    units: { office: office.id, edu: edu.id, county: county.id, other: other.id },
    people: {
      sysadmin: await makeUser(ctx.platform, other.id, ['sysadmin']),
      officeEditor: await makeUser(ctx.platform, office.id, ['editor']),
      officeEditor2: await makeUser(ctx.platform, office.id, ['editor']),
      eduEditor: await makeUser(ctx.platform, edu.id, ['editor']),
      eduEditor2: await makeUser(ctx.platform, edu.id, ['editor']),
      eduAdmin: await makeUser(ctx.platform, edu.id, ['unit_admin']),
      countyEditor: await makeUser(ctx.platform, county.id, ['editor']),
      otherEditor: await makeUser(ctx.platform, other.id, ['editor']),
      clerk: await makeUser(ctx.platform, edu.id, ['doc_clerk']),
    },
    get: (user, url, lang) => ctx.app.inject({ method: 'GET', url, headers: headers(user, lang) }),
    post: (user, url, payload, lang) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers: headers(user, lang) }),
    patch: (user, url, payload, lang) => ctx.app.inject({ method: 'PATCH', url, payload: payload as object, headers: headers(user, lang) }),
  };
}
