import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { renderOfficialDocument, richTextBlocks, blockText, writtenDate, type OfficialLayout } from './index.ts';

/** The text items of every page, in the order the PDF draws them. */
async function pdfText(bytes: Uint8Array): Promise<string[][]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[][] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).filter((s) => s.trim()));
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}

/** Asserts that each of `expected` occurs in `text` after the one before it. */
function assertInOrder(text: string, expected: string[]) {
  let at = 0;
  for (const part of expected) {
    const found = text.indexOf(part, at);
    assert.ok(found >= 0, `"${part}" after position ${at} in: ${text}`);
    at = found + part.length;
  }
}

/** A tiny opaque PNG: a red square, written by hand. */
function redPng(size = 8): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [200, 22, 29]).flat())])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const layout: OfficialLayout = {
  copyNo: '000123',
  secrecy: '机密★1年',
  urgency: '特急',
  authorityMark: '测试市人民政府文件',
  docNumber: '测府发〔2026〕12号',
  title: '测试市人民政府关于做好二〇二七年元旦春节期间安全生产工作的通知',
  mainRecipients: ['各县区人民政府', '市直各部门'],
  body: '<h2>总体要求</h2><p>为做好<strong>元旦春节</strong>期间的安全生产工作，现通知如下。</p><h3>加强领导</h3><ol><li>落实责任</li><li>排查隐患</li></ol><p>请认真贯彻执行。</p>',
  attachments: ['安全检查表', '值班安排表'],
  signature: '测试市人民政府',
  writtenDate: '2026-05-01',
  seal: { name: '测试市人民政府' },
  notes: '此件公开发布',
  cc: ['市委办公室', '市人大常委会办公室'],
  printingUnit: '测试市人民政府办公室',
  printedDate: '2026-05-02',
  meta: { subject: '公文 测府发〔2026〕12号', createdAt: new Date('2026-05-01T02:00:00Z') },
};

test('the elements of GB/T 9704-2012 are printed in their order, the date in Arabic numerals', async () => {
  const pdf = await renderOfficialDocument(layout);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const pages = await pdfText(pdf);
  const text = pages.flat().join('');
  assertInOrder(text, [
    '000123',
    '机密★1年',
    '特急',
    '测试市人民政府文件',
    '测府发〔2026〕12号',
    '测试市人民政府关于做好',
    '各县区人民政府、市直各部门：',
    '一、总体要求',
    '为做好',
    '元旦春节',
    '（一）加强领导',
    '1.落实责任',
    '2.排查隐患',
    '请认真贯彻执行。',
    '附件：',
    '1.安全检查表',
    '2.值班安排表',
    '测试市人民政府',
    '2026年5月1日',
    '（此件公开发布）',
    '抄送：',
    '市委办公室，市人大常委会办公室。',
    '测试市人民政府办公室',
    '2026年5月2日印发',
  ]);
  // Page numbers in the form of the standard, one per page.
  pages.forEach((items, i) => assert.ok(items.join('').includes(`— ${i + 1} —`), `page ${i + 1}: ${items.join('|')}`));
});

test('the same layout gives the same bytes; another layout other bytes', async () => {
  const a = await renderOfficialDocument(layout);
  const b = await renderOfficialDocument({ ...layout, seal: { name: '测试市人民政府' } });
  assert.ok(a.equals(b));
  const c = await renderOfficialDocument({ ...layout, title: `${layout.title}（修订）` });
  assert.ok(!a.equals(c));
});

test('an upward document puts the signer beside the number; a long body runs onto numbered pages; an image seal', async () => {
  const pdf = await renderOfficialDocument({
    ...layout,
    copyNo: null,
    secrecy: null,
    urgency: '加急',
    upward: true,
    signer: '王五',
    authorityMark: '甲县人民政府文件',
    docNumber: '甲政报〔2026〕3号',
    title: '甲县人民政府关于申请专项资金的请示',
    mainRecipients: ['测试市人民政府'],
    body: Array.from({ length: 30 }, (_, i) => `<p>第${i + 1}段：${'本县按照要求开展工作，'.repeat(6)}</p>`).join(''),
    attachments: [],
    cc: [],
    printingUnit: null,
    printedDate: null,
    notes: null,
    seal: { image: redPng() },
  });
  const pages = await pdfText(pdf);
  assert.ok(pages.length >= 2, `pages: ${pages.length}`);
  const text = pages.flat().join('');
  assertInOrder(text, ['加急', '甲县人民政府文件', '甲政报〔2026〕3号', '签发人：王五', '甲县人民政府关于申请专项资金的请示', '测试市人民政府：', '第1段', '第30段', '2026年5月1日']);
  assert.ok(!text.includes('抄送'));
  assert.ok(pages[1].join('').includes('— 2 —'));
});

test('the body is read as blocks: levels numbered, lists marked, script dropped, entities decoded', () => {
  const blocks = richTextBlocks('<h2>目标</h2><h3>（二）已编号</h3><h4>细则</h4><p>a &lt;b&gt; &amp; <strong>c</strong></p><script>alert(1)</script><ul><li>甲</li></ul><ol><li>乙</li><li>丙</li></ol><h2>二、保障</h2>');
  assert.deepEqual(blocks.map(blockText), ['一、目标', '（二）已编号', '1.细则', 'a <b> & c', '•甲', '1.乙', '2.丙', '二、保障']);
  assert.deepEqual(blocks[3].runs, [
    { text: 'a <b> & ', strong: false },
    { text: 'c', strong: true },
  ]);
  assert.deepEqual(richTextBlocks('第一段\n\n第二段').map(blockText), ['第一段', '第二段']);
  assert.equal(writtenDate('2026-05-01'), '2026年5月1日');
  assert.equal(writtenDate('2026-12-17'), '2026年12月17日');
});
