/**
 * The demo city's document exchange, made through the module's own commands as the demo's people:
 * the city government office (市政府办公室) has sent a notice to four departments (two signed for
 * it, one returned it, one has not yet), has a second notice waiting for its leader's 签发 and a
 * draft; the human resources bureau has sent the office a document its clerk (郑丽娟) has yet to
 * sign for. The bodies start with the text: the main recipients are printed from the recipient list.
 * Loaded on every demo load: once the first document exists, nothing is added.
 */
import type { Work } from '../../platform/db/work.ts';
import type { DemoCity, Platform } from '../../platform/module.ts';
import type { Principal } from '../../platform/iam/principal.ts';
import { actAs, demoPrincipal } from '../../platform/demo/people.ts';
import { exchangeDb } from './model.ts';
import { createDocument } from './commands/create-document.ts';
import { submitDocument } from './commands/submit-document.ts';
import { completeSignoffTask } from './commands/complete-signoff.ts';
import { sendDocument } from './commands/send-document.ts';
import { returnReceipt, signReceipt } from './commands/sign-receipt.ts';
import { signoffProcess } from './queries/documents.ts';
import type { DocumentInput } from './commands/document-input.ts';

const FIRST_NUMBER = '云政办发〔2026〕18号';

const principalOf = demoPrincipal;
const as = actAs;

const paragraphs = (...lines: string[]) => lines.map((line) => `<p>${line}</p>`).join('');

/** Drafts a document and, as far as `until` says, has it signed off and sent. */
async function makeDocument(work: Work, platform: Platform, who: { clerk: Principal; leader: Principal }, input: DocumentInput, until: 'draft' | 'in_signoff' | 'sent'): Promise<string> {
  const { id } = await as(work, who.clerk, (own) => createDocument(own, platform, who.clerk, input));
  if (until === 'draft') return id;
  await as(work, who.clerk, (own) => submitDocument(own, platform, who.clerk, id, '请审核签发。'));
  if (until === 'in_signoff') return id;
  const process = await signoffProcess(work.tx, id, platform.clock.now());
  const task = process?.tasks.find((t) => t.state === 'open');
  if (!task) throw new Error(`the demo document ${input.docNumber} has no open sign-off step`);
  await as(work, who.leader, (own) => completeSignoffTask(own, platform, who.leader, task.id, { action: 'approve', opinion: '同意印发。' }));
  await as(work, who.clerk, (own) => sendDocument(own, platform, who.clerk, id));
  return id;
}

async function receiptOf(work: Work, documentId: string, unitId: string): Promise<string> {
  const row = await exchangeDb(work.tx).selectFrom('exchange_receipts').select('id').where('document_id', '=', documentId).where('unit_id', '=', unitId).executeTakeFirstOrThrow();
  return row.id;
}

export async function loadExchangeDemo(work: Work, platform: Platform, city: DemoCity): Promise<void> {
  const done = await exchangeDb(work.tx).selectFrom('exchange_documents').select('id').where('doc_number', '=', FIRST_NUMBER).executeTakeFirst();
  if (done) return;
  const office = city.unit('city.office');
  const [hrss, market, finance, ndrc] = ['city.hrss', 'city.market', 'city.finance', 'city.ndrc'].map((key) => city.unit(key));
  const people = {
    office: { clerk: await principalOf(work, platform, 'doc_clerk'), leader: await principalOf(work, platform, 'office_leader') },
    hrss: { clerk: await principalOf(work, platform, 'hrss_clerk'), leader: await principalOf(work, platform, 'hrss_leader') },
  };
  const today = new Date(platform.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const officeDocument = (docNumber: string, title: string, body: string, recipients: string[]): DocumentInput => ({
    title,
    docNumber,
    issuingUnitId: office.id,
    issuingAuthority: '云川市人民政府办公室',
    secrecy: 'none',
    urgency: 'normal',
    docType: 'notice',
    body,
    attachments: [],
    mainRecipients: recipients,
    ccRecipients: [],
    writtenDate: today,
    printingUnit: '云川市人民政府办公室',
    printedDate: today,
  });

  const notice = await makeDocument(
    work,
    platform,
    people.office,
    officeDocument(
      FIRST_NUMBER,
      '云川市人民政府办公室关于做好2027年元旦春节期间有关工作的通知',
      paragraphs(
        '2027年元旦、春节即将来临。为确保全市人民度过欢乐祥和的节日，经市政府同意，现就做好节日期间有关工作通知如下：',
        '一、切实做好安全生产工作。各地各部门要深入开展安全隐患排查整治，落实值班值守制度。',
        '二、保障重要民生商品供应。市场监管、发展改革等部门要加强市场监测和价格监管。',
        '三、按时足额发放工资待遇。人力资源社会保障部门要加强欠薪问题排查，确保农民工工资按时足额支付。',
      ),
      [hrss.id, market.id, finance.id, ndrc.id],
    ),
    'sent',
  );
  const staff = async (username: string) => principalOf(work, platform, username);
  const marketClerk = await staff('market_clerk');
  const financeClerk = await staff('finance_clerk');
  await as(work, people.hrss.clerk, async (own) => signReceipt(own, platform, people.hrss.clerk, await receiptOf(own, notice, hrss.id)));
  await as(work, marketClerk, async (own) => signReceipt(own, platform, marketClerk, await receiptOf(own, notice, market.id)));
  await as(work, financeClerk, async (own) => returnReceipt(own, platform, financeClerk, await receiptOf(own, notice, finance.id), { reason: '本局已于上周收到纸质件，请核实是否重复发文。' }));

  await makeDocument(
    work,
    platform,
    people.office,
    officeDocument(
      '云政办发〔2026〕19号',
      '云川市人民政府办公室关于开展2026年度政务服务“好差评”情况通报的通知',
      paragraphs('为进一步提升政务服务水平，现将2026年度政务服务“好差评”情况通报如下，请各部门对照整改。'),
      [hrss.id, market.id],
    ),
    'in_signoff',
  );
  await makeDocument(
    work,
    platform,
    people.office,
    officeDocument('云政办发〔2026〕20号', '云川市人民政府办公室关于做好冬季森林防火工作的通知', paragraphs('（正文拟写中）'), [finance.id]),
    'draft',
  );
  await makeDocument(
    work,
    platform,
    people.hrss,
    {
      ...officeDocument(
        '云人社发〔2026〕7号',
        '云川市人力资源和社会保障局关于报送2026年度人才引进工作情况的函',
        paragraphs('根据全市人才工作安排，请于本月底前报送本单位2026年度人才引进工作情况。'),
        [office.id],
      ),
      issuingUnitId: hrss.id,
      issuingAuthority: '云川市人力资源和社会保障局',
      docType: 'letter',
      printingUnit: '云川市人力资源和社会保障局',
    },
    'sent',
  );
}
