/**
 * The demo city's citizen interaction, made through the module's own commands as the demo's people
 * at the moments they did it: letters to the mayor dispatched by the office's responder (黄志明)
 * to the human resources bureau, answered by its responder (何静) and approved by its leader
 * (许志刚), published on the board and rated; letters still waiting at every stage; two disclosure
 * requests (one extended, one partly disclosed); 12345 calls closed from the knowledge base,
 * dispatched and visited, or just in. Loaded on every demo load: once the first letter exists,
 * nothing is added.
 */
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { actAs, demoPrincipal } from '../../platform/demo/people.ts';
import { addWorkingDays, shanghaiDate } from '../../platform/calendar/index.ts';
import { interactionDb } from './model.ts';
import { DEMO_KNOWLEDGE, DEMO_LETTERS, DEMO_SENSITIVE_WORDS, type DemoLetter } from './demo-letters.ts';
import { receiveCase } from './commands/receive-case.ts';
import { assignCase } from './commands/assign-case.ts';
import { askClarification } from './commands/ask-clarification.ts';
import { draftAnswer } from './commands/draft-answer.ts';
import { approveAnswer } from './commands/approve-answer.ts';
import { publishCase } from './commands/publish-case.ts';
import { extendCase } from './commands/extend-case.ts';
import { createTicket } from './commands/create-ticket.ts';
import { closeTicket } from './commands/close-ticket.ts';
import { visitTicket } from './commands/visit-ticket.ts';
import { createKnowledge } from './commands/save-knowledge.ts';
import { saveSensitiveWords } from './commands/save-sensitive-words.ts';
import { rateCase } from './commands/rate-case.ts';

const HOUR = 3600_000;

interface People {
  dispatcher: Principal;
  responder: Principal;
  leader: Principal;
  editor: Principal;
  operator: Principal;
}

/** 09:30 in Shanghai on the working day `days` working days before today (today when 0). */
async function receivedAt(work: Work, now: Date, days: number): Promise<Date> {
  const day = days === 0 ? shanghaiDate(now) : (await addWorkingDays(work.tx, shanghaiDate(now), -days)).date;
  const at = new Date(`${day}T09:30:00+08:00`);
  return at.getTime() < now.getTime() ? at : new Date(now.getTime() - HOUR);
}

export async function loadInteractionDemo(work: Work, platform: Platform, city: DemoCity): Promise<void> {
  const first = await interactionDb(work.tx).selectFrom('interaction_cases').select('id').limit(1).executeTakeFirst();
  if (first) return;
  const people: People = {
    dispatcher: await demoPrincipal(work, platform, 'office_responder'),
    responder: await demoPrincipal(work, platform, 'responder'),
    leader: await demoPrincipal(work, platform, 'hrss_leader'),
    editor: await demoPrincipal(work, platform, 'editor'),
    operator: await demoPrincipal(work, platform, 'hotline_operator'),
  };
  const now = platform.clock.now();
  await actAs(work, people.operator, async (own) => {
    for (const entry of DEMO_KNOWLEDGE) await createKnowledge(own, platform, entry);
    await saveSensitiveWords(own, platform, { words: DEMO_SENSITIVE_WORDS });
  });
  for (const letter of DEMO_LETTERS) await makeCase(work, platform, city, people, letter, now);
}

/** One letter or call, taken as far as its stage says, each step a little after the one before. */
async function makeCase(work: Work, platform: Platform, city: DemoCity, people: People, letter: DemoLetter, now: Date) {
  const start = await receivedAt(work, now, letter.daysAgo);
  // Steps are spread over the time since receipt, at most a working day apart.
  const gap = Math.min(24 * HOUR, (now.getTime() - start.getTime()) / 8);
  let step = 0;
  const at = (): Platform => {
    const moment = new Date(start.getTime() + step++ * gap);
    return { ...platform, clock: { now: () => moment } };
  };
  const unitId = city.unit(letter.unit).id;
  const publicAccount = await interactionDb(work.tx)
    .withTables<{ users: { id: string; username: string } }>()
    .selectFrom('users')
    .select('id')
    .where('username', '=', letter.phone)
    .executeTakeFirst();

  let caseId: string;
  let code = '';
  let trackingNo = '';
  if (letter.channel === 'hotline') {
    const ticket = await actAs(work, people.operator, (own) =>
      createTicket(own, at(), people.operator, { callerName: letter.name, phone: letter.phone, regionCode: letter.regionCode ?? city.unit('city.office').regionCode, category: letter.category, urgency: letter.urgency ?? 'normal', title: letter.title, body: letter.body }),
    );
    caseId = ticket.id;
    if (letter.stage === 'received') return;
    if (letter.stage === 'closed_by_hotline') {
      await actAs(work, people.operator, (own) => closeTicket(own, at(), people.operator, caseId, { answer: letter.answer ?? '' }));
      return;
    }
    await actAs(work, people.operator, (own) => assignCase(own, at(), people.operator, caseId, { unitId }));
  } else {
    const dispatched = letter.channel === 'mayor_mailbox';
    const received = await actAs(work, null, (own) =>
      receiveCase(own, at(), {
        channel: letter.channel,
        targetUnitId: dispatched ? null : unitId,
        title: letter.title,
        body: letter.body,
        name: letter.name,
        phone: letter.phone,
        idNumber: letter.idNumber ?? null,
        isPublic: letter.isPublic,
        category: letter.category,
        writerUserId: publicAccount?.id ?? null,
      }),
    );
    caseId = received.id;
    code = received.queryCode;
    trackingNo = received.trackingNo;
    if (letter.stage === 'received') return;
    if (dispatched) await actAs(work, people.dispatcher, (own) => assignCase(own, at(), people.dispatcher, caseId, { unitId, note: '请按职责办理并答复来信人。' }));
  }
  if (letter.stage === 'assigned') return;
  if (letter.stage === 'clarifying') {
    await actAs(work, people.responder, (own) => askClarification(own, at(), people.responder, caseId, { question: '请补充您与原单位解除劳动合同的时间，以及是否已办理失业登记。' }));
    return;
  }
  if (letter.stage === 'extended') {
    await actAs(work, people.responder, (own) => extendCase(own, at(), people.responder, caseId, { days: 15, reason: '申请公开的信息涉及多个科室和下属单位，需汇总核实，经本机关政府信息公开工作机构负责人同意，延长答复期限。' }));
    return;
  }
  const publish = letter.isPublic && letter.channel !== 'hotline' && letter.channel !== 'disclosure_request';
  await actAs(work, people.responder, (own) => draftAnswer(own, at(), people.responder, caseId, { body: letter.answer ?? '', publish, answerType: letter.answerType ?? null }));
  if (letter.stage === 'reviewing') return;
  await actAs(work, people.leader, (own) => approveAnswer(own, at(), people.leader, caseId));
  if (letter.stage === 'visited') {
    await actAs(work, people.operator, (own) => visitTicket(own, at(), people.operator, caseId, { satisfaction: letter.rating ?? 4, note: '来电人表示问题已基本解决。' }));
    return;
  }
  if (letter.stage === 'answered') return;
  const moderator = letter.channel === 'mayor_mailbox' ? people.editor : people.responder;
  await actAs(work, moderator, (own) => publishCase(own, at(), moderator, caseId, {}));
  if (letter.stage === 'rated') await actAs(work, null, (own) => rateCase(own, at(), trackingNo, { code, score: letter.rating ?? 5, comment: '答复及时，说得很清楚，谢谢！' }));
}
