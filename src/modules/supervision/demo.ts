/**
 * Supervision's part of the demo city's past: the scan at the end of every past day (cards for the
 * steps that ran late), ratings of finished cases by their applicants (mostly good, some bad ones
 * that open a rectification), and a few efficiency complaints. Through the module's services, at
 * the moment in the past the generator's clock says.
 */
import type { Actor } from '../../platform/db/work.ts';
import { inTransaction, SYSTEM_ACTOR } from '../../platform/db/work.ts';
import type { DemoActivityHooks, DemoFinishedSubject, Platform } from '../../platform/module.ts';
import { runScan } from './scan.ts';
import { rateCase } from './ratings.ts';
import { fileComplaint } from './complaints.ts';
import { subjectById } from './subjects.ts';

const RATED_SHARE = 0.6;
const COMPLAINT_SHARE = 0.05;
/** GB/T 39734's five levels, mostly 非常满意 and 满意; one rating in eight is 不满意 or 非常不满意. */
const SCORES: Array<[score: number, weight: number]> = [
  [5, 65],
  [4, 25],
  [3, 10],
];
const POOR_EVERY = 8;
const GOOD = ['办事效率高，工作人员很耐心。', '网上提交很方便，没跑一次腿。', '材料一次性告知清楚，点赞。', ''];
const POOR = ['等待时间太长，进度也查不清楚。', '补正材料的要求前后不一致，来回跑了两次。', '窗口人员态度一般，解释不清楚。'];
const COMPLAINTS = ['承诺时限已经过了还没有结果，打电话也没人说明原因。', '受理后一直显示审查中，希望加快办理。', '窗口说材料齐全，后来又要求补正，耽误了开业。'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

let ratings = 0;

function scoreOf(random: () => number): number {
  ratings += 1;
  if (ratings % POOR_EVERY === 3) return ratings % (2 * POOR_EVERY) === 3 ? 2 : 1;
  let r = random() * 100;
  for (const [score, weight] of SCORES) if ((r -= weight) < 0) return score;
  return 5;
}

const applicantActor = (subject: DemoFinishedSubject): Actor => ({ userId: subject.applicantUserId, username: subject.applicantUserId ? subject.applicantPhone : 'public', unitId: null, ip: null, requestId: null });

async function onFinished(platform: Platform, subject: DemoFinishedSubject, random: () => number) {
  const rate = random() < RATED_SHARE;
  const complain = random() < COMPLAINT_SHARE;
  if (!rate && !complain) return;
  await inTransaction(platform.db, applicantActor(subject), async (work) => {
    const found = await subjectById(platform, work.tx, subject.id, subject.type);
    if (!found) return;
    if (rate && found.finished) {
      const score = scoreOf(random);
      const comment = score <= 2 ? pick(random, POOR) : pick(random, GOOD);
      await rateCase(work, platform, found, { score, comment: comment || undefined }, { channel: subject.applicantUserId ? 'account' : 'public', userId: subject.applicantUserId });
    }
    if (complain) {
      await fileComplaint(work, platform, found, {
        channel: random() < 0.5 ? 'online' : 'phone',
        complainantName: subject.applicantName,
        complainantPhone: subject.applicantPhone,
        complainantUserId: subject.applicantUserId,
        content: pick(random, COMPLAINTS),
      });
    }
  });
}

export const supervisionDemoHooks: DemoActivityHooks = {
  onDay: async (platform) => {
    await runScan(platform, SYSTEM_ACTOR);
  },
  onFinished,
  onEnd: async (platform) => {
    await runScan(platform, SYSTEM_ACTOR);
  },
};
