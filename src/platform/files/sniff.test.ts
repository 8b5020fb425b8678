import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sniffContent, classifyZip, classifyCompound, type SniffResult } from './sniff.ts';
import { sanitizeFileName, contentDisposition, MAX_NAME_LENGTH } from './names.ts';
import { SAMPLES, makeZip } from './testing.ts';
import { HEAD_BYTES } from './store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-sniff-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function sniff(content: Buffer): Promise<SniffResult> {
  const file = path.join(dir, `s${++n}`);
  fs.writeFileSync(file, content);
  return sniffContent({ path: file, head: content.subarray(0, HEAD_BYTES), size: content.length });
}
const mimeOf = async (content: Buffer) => {
  const result = await sniff(content);
  return result.allowed ? result.mime : `refused:${result.detected}`;
};

test('allowed types are recognised from their content', async () => {
  assert.equal(await mimeOf(SAMPLES.pdf()), 'application/pdf');
  assert.equal(await mimeOf(SAMPLES.png()), 'image/png');
  assert.equal(await mimeOf(SAMPLES.jpeg()), 'image/jpeg');
  assert.equal(await mimeOf(SAMPLES.gif()), 'image/gif');
  assert.equal(await mimeOf(SAMPLES.tiff()), 'image/tiff');
  assert.equal(await mimeOf(SAMPLES.docx()), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.equal(await mimeOf(SAMPLES.xlsx()), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(await mimeOf(SAMPLES.ofd()), 'application/ofd');
  assert.equal(await mimeOf(SAMPLES.zip()), 'application/zip');
  assert.equal(await mimeOf(SAMPLES.doc()), 'application/msword');
  assert.equal(await mimeOf(SAMPLES.xls()), 'application/vnd.ms-excel');
  assert.equal(await mimeOf(SAMPLES.textUtf8()), 'text/plain');
  assert.equal(await mimeOf(SAMPLES.textGb18030()), 'text/plain');
  assert.equal(await mimeOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')])), 'text/plain');
});

test('executables, markup, scripts and unknown content are refused', async () => {
  assert.equal(await mimeOf(SAMPLES.exe()), 'refused:application/x-msdownload');
  assert.equal(await mimeOf(SAMPLES.elf()), 'refused:application/x-elf');
  assert.equal(await mimeOf(SAMPLES.html()), 'refused:text/html');
  assert.equal(await mimeOf(SAMPLES.svg()), 'refused:text/html');
  assert.equal(await mimeOf(Buffer.from('  \n<iframe src="https://evil.example"></iframe>')), 'refused:text/html');
  assert.equal(await mimeOf(Buffer.from('Dear colleague,\nplease see <script>alert(1)</script>\n')), 'refused:text/html');
  assert.equal(await mimeOf(SAMPLES.script()), 'refused:text/x-script');
  assert.equal(await mimeOf(SAMPLES.jar()), 'refused:application/java-archive');
  assert.equal(await mimeOf(SAMPLES.docm()), 'refused:application/vnd.ms-word.document.macroEnabled.12');
  assert.equal(await mimeOf(SAMPLES.msi()), 'refused:application/x-cfb');
  assert.equal(await mimeOf(SAMPLES.unknown()), 'refused:null');
  // Text with a NUL byte or escape sequences is binary.
  assert.equal(await mimeOf(Buffer.from('abc\u0000def')), 'refused:null');
  assert.equal(await mimeOf(Buffer.from('abc\u001b[31mred')), 'refused:null');
  // Text at the start, binary after the head that the type check looks at.
  assert.equal(await mimeOf(Buffer.concat([Buffer.alloc(HEAD_BYTES + 10, 0x61), Buffer.from([0, 1, 2])])), 'refused:null');
});

test('a multi-byte character split across read chunks is still text', async () => {
  const text = Buffer.from('政'.repeat(200_000), 'utf8');
  assert.equal(await mimeOf(text), 'text/plain');
});

test('container classification looks at entry names', () => {
  assert.deepEqual(classifyZip(['OFD.xml', 'Doc_0/Document.xml']), { allowed: true, type: 'ofd', mime: 'application/ofd' });
  assert.equal(classifyZip(['[Content_Types].xml', 'ppt/presentation.xml']).allowed, false);
  assert.equal(classifyZip(['AndroidManifest.xml', 'classes.dex']).allowed, false);
  assert.equal(classifyZip(['readme.txt']).allowed, true);
  assert.equal(classifyCompound(['Root Entry', 'WordDocument', 'Macros']).allowed, false);
  assert.equal(classifyCompound(['Root Entry', 'Book']).allowed, true);
});

test('a zip whose central directory is damaged falls back to its local headers', async () => {
  const docx = SAMPLES.docx();
  const damaged = docx.subarray(0, docx.length - 22);
  assert.equal(await mimeOf(damaged), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  const many = makeZip(Array.from({ length: 300 }, (_, i) => ({ name: `d/${i}.txt`, data: 'x' })).concat([{ name: 'OFD.xml', data: '<x/>' }]));
  assert.equal(await mimeOf(many), 'application/ofd');
});

test('file names lose their path, control and invisible characters, and get a fitting extension', () => {
  assert.equal(sanitizeFileName('../../x', 'pdf'), 'x.pdf');
  assert.equal(sanitizeFileName('..\\..\\windows\\system32\\x.pdf', 'pdf'), 'x.pdf');
  assert.equal(sanitizeFileName('/etc/passwd', 'text'), 'passwd.txt');
  assert.equal(sanitizeFileName('..', 'pdf'), 'file.pdf');
  assert.equal(sanitizeFileName('', 'png'), 'file.png');
  assert.equal(sanitizeFileName(undefined, 'docx'), 'file.docx');
  assert.equal(sanitizeFileName('.htaccess', 'text'), 'htaccess.txt');
  assert.equal(sanitizeFileName('a\u0000b\r\nc.pdf', 'pdf'), 'abc.pdf');
  assert.equal(sanitizeFileName('invoice\u202Efdp.exe', 'pdf'), 'invoicefdp.exe.pdf');
  assert.equal(sanitizeFileName('报告<草稿>?.PDF', 'pdf'), '报告_草稿__.PDF');
  assert.equal(sanitizeFileName('照片.pdf', 'png'), '照片.pdf.png');
  assert.equal(sanitizeFileName('公文.wps', 'doc'), '公文.wps');
  assert.equal(sanitizeFileName('e\u0301.pdf', 'pdf'), '\u00e9.pdf');
  const long = sanitizeFileName(`${'长'.repeat(500)}.pdf`, 'pdf');
  assert.equal(Array.from(long).length, MAX_NAME_LENGTH);
  assert.ok(long.endsWith('长.pdf'));
});

test('Content-Disposition carries an ASCII fallback and the exact UTF-8 name', () => {
  assert.equal(contentDisposition('report.pdf'), `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  assert.equal(contentDisposition('申请表 (1).pdf'), `attachment; filename="___ (1).pdf"; filename*=UTF-8''%E7%94%B3%E8%AF%B7%E8%A1%A8%20%281%29.pdf`);
  assert.equal(contentDisposition('50%\\x.txt'), `attachment; filename="50__x.txt"; filename*=UTF-8''50%25%5Cx.txt`);
});
