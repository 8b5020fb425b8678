/**
 * A published service item for tests and benchmarks, made through the catalogue's own commands
 * (createItem, publishItem) rather than written as a row, so that it is what an editor would publish.
 */
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import type { Platform } from '../../platform/module.ts';
import { createItem } from './commands/create-item.ts';
import { publishItem } from './commands/publish-item.ts';
import type { ItemInput } from './model.ts';
import type { Item } from './queries/items.ts';

export interface TestItemInput {
  unitId: string;
  process: ItemInput['process'];
  name?: string;
  materials?: ItemInput['materials'];
  promisedDays?: number;
}

/** 食品经营许可 at `unitId` with the given process, published. */
export function publishTestItem(platform: Platform, input: TestItemInput): Promise<Item> {
  return inTransaction(platform.db, SYSTEM_ACTOR, async (work) => {
    const draft = await createItem(work, platform, null, {
      name: input.name ?? '食品经营许可',
      kind: 'licensing',
      unitId: input.unitId,
      legalBasis: '《中华人民共和国食品安全法》第三十五条',
      conditions: '有与经营的食品品种、数量相适应的经营场所',
      materials: input.materials ?? [{ key: 'application_form', name: '食品经营许可申请书', required: true, copies: 1, allowPending: false }],
      statutoryDays: 20,
      promisedDays: input.promisedDays ?? 10,
      fee: { charged: false },
      resultName: '食品经营许可证',
      maxVisits: 1,
      consultPhone: '0871-12345678',
      complaintPhone: '12345',
      process: input.process,
    });
    return publishItem(work, platform, null, draft.id);
  });
}
