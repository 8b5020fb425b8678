import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createTestContext, seedRegions, makeUnit, makeUser, bearer, problem, type TestContext, type TestUser } from '../../../test/helpers.ts';
import { AppError } from '../http/errors.ts';
import { prepareUpload } from './service.ts';
import { fileBody, makeZip } from './testing.ts';

let ctx: TestContext;
let alice: TestUser;

before(async () => {
  ctx = await createTestContext();
  await seedRegions(ctx.platform);
  const unit = await makeUnit(ctx.platform);
  alice = await makeUser(ctx.platform, unit.id, ['window_clerk']);
});
after(() => ctx.close());

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures/archives');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const GIB = 1024 * 1024 * 1024;

async function upload(filename: string, content: Buffer, lang?: string) {
  const body = fileBody(filename, content);
  return ctx.app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...body.headers, ...bearer(alice), ...(lang ? { 'accept-language': lang } : {}) }, payload: body.payload });
}

/** Uploads, expects 422 FILE_ARCHIVE_REFUSED for `reason`, returns the Chinese and English details. */
async function refused(filename: string, content: Buffer, reason: string) {
  const zh = problem(await upload(filename, content));
  assert.equal(zh.status, 422, JSON.stringify(zh.body));
  assert.match(String(zh.type), /^application\/problem\+json/);
  assert.equal(zh.body.code, 'FILE_ARCHIVE_REFUSED');
  assert.equal((zh.body as unknown as { reason: string }).reason, reason);
  const en = problem(await upload(filename, content, 'en'));
  assert.equal(en.status, 422);
  return { zh: zh.body.detail, en: en.body.detail };
}

// ------------------------------------------------------------------ zip written by hand

interface RawEntry {
  name: string;
  /** The bytes as stored in the archive (already deflated when method is 8). */
  data: Buffer;
  method?: 0 | 8;
  /** The uncompressed size the entry declares (defaults to data's length). */
  size?: number;
  crc?: number;
  flags?: number;
  /** Writes the sizes in a zip64 extra field. */
  zip64?: boolean;
}

function rawZip(entries: RawEntry[], options: { sameOffset?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const size = entry.size ?? entry.data.length;
    const crc = entry.crc ?? zlib.crc32(entry.data);
    const flags = 0x0800 | (entry.flags ?? 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.method ?? 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.zip64 ? 0xffffffff : entry.data.length, 18);
    local.writeUInt32LE(entry.zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    const entryOffset = options.sameOffset ? 0 : offset;
    if (!options.sameOffset || offset === 0) {
      locals.push(local, name, entry.data);
      offset += 30 + name.length + entry.data.length;
    }
    let extra = Buffer.alloc(0);
    if (entry.zip64) {
      extra = Buffer.alloc(20);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(entry.data.length), 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(entry.method ?? 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.zip64 ? 0xffffffff : entry.data.length, 20);
    central.writeUInt32LE(entry.zip64 ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(entryOffset, 42);
    centrals.push(central, name, extra);
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** 1 GiB of zeros deflated (about 1 MB), streamed so that the gigabyte is never held at once. */
async function deflatedZeros(bytes: number): Promise<{ data: Buffer; crc: number }> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  for (let written = 0; written < bytes; written += chunk.length) {
    crc = zlib.crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return { data: Buffer.concat(out), crc };
}

// ------------------------------------------------------------------ rar 5 written by hand

/** RAR 5's variable-length integers: 7 bits a byte, the high bit saying more follow. */
function vint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = BigInt(value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes);
}

function rarBlock(fields: Buffer, data: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.concat([vint(fields.length), fields]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(zlib.crc32(header), 0);
  return Buffer.concat([crc, header, data]);
}

/**
 * A RAR 5 archive of stored (uncompressed) files, after the format's published description
 * (rarlab.com, "RAR 5.0 archive format"): signature, main header, one file header each, end.
 * `size` declares an unpacked size other than the data's, as a crafted archive may.
 */
function makeRar(entries: Array<{ name: string; data: Buffer; size?: number }>): Buffer {
  const signature = Buffer.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00]);
  const main = rarBlock(Buffer.concat([vint(1), vint(0), vint(0)]));
  const files = entries.map((entry) => {
    const name = Buffer.from(entry.name, 'utf8');
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(zlib.crc32(entry.data), 0);
    const fields = Buffer.concat([
      vint(2), // file header
      vint(0x02), // a data area follows
      vint(entry.data.length),
      vint(0x04), // the data's CRC32 is given
      vint(entry.size ?? entry.data.length),
      vint(0x20), // attributes
      crc,
      vint(0), // version 0, stored
      vint(0), // host: Windows
      vint(name.length),
      name,
    ]);
    return rarBlock(fields, entry.data);
  });
  const end = rarBlock(Buffer.concat([vint(5), vint(0), vint(0)]));
  return Buffer.concat([signature, main, ...files, end]);
}

// ------------------------------------------------------------------ zip

test('a normal zip is accepted', async () => {
  const content = makeZip([
    { name: '材料/说明.txt', data: '申请说明\n' },
    { name: '材料/', data: '' },
    { name: '材料/表格.csv', data: '姓名,金额\n张三,100\n'.repeat(200) },
  ]);
  const res = await upload('材料.zip', content);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().mime, 'application/zip');
});

test('a zip bomb (about 1 MB unpacking to 1 GB of zeros) is refused, the message naming the ratio', async () => {
  const { data, crc } = await deflatedZeros(GIB);
  assert.ok(data.length < 1.1 * 1024 * 1024);
  const bomb = rawZip([{ name: '数据.txt', data, method: 8, size: GIB, crc }]);
  const { zh, en } = await refused('数据.zip', bomb, 'ratio');
  assert.match(zh, /压缩比异常：解压后约 1024 MB，为压缩包大小的 \d{3,4} 倍，最多允许 100 倍/);
  assert.match(en, /unpacks to about 1024 MB, \d{3,4} times its own size; at most 100 times is allowed/);
});

test('a zip declaring more than the uncompressed limit (zip64 sizes) is refused, naming the size', async () => {
  const { zh, en } = await refused('大.zip', rawZip([{ name: 'big.bin', data: Buffer.alloc(64), method: 8, size: 5 * GIB, crc: 0, zip64: true }]), 'size');
  assert.match(zh, /解压后过大：约 5120 MB，最多允许 2048 MB/);
  assert.match(en, /about 5120 MB, at most 2048 MB allowed/);
});

test('too many entries are refused, naming the count and the limit', async () => {
  const entries = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}.txt`, data: '' }));
  const { zh, en } = await refused('多.zip', makeZip(entries), 'entries');
  assert.equal(zh, '压缩包内文件过多：10001 个，最多允许 10000 个');
  assert.equal(en, 'The archive holds too many entries: 10001, at most 10000 allowed');
});

test('a module sets tighter limits than the installation: prepareUpload takes archiveLimits', async () => {
  const content = makeZip([{ name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b' }, { name: 'c.txt', data: 'c' }]);
  const prepare = (archiveLimits?: { maxEntries: number }) =>
    prepareUpload(ctx.platform, { content: (async function* () { yield content; })(), filename: 'x.zip', archiveLimits });
  await assert.rejects(prepare({ maxEntries: 2 }), (error: unknown) => error instanceof AppError && error.code === 'FILE_ARCHIVE_REFUSED' && error.extra?.limit === 2);
  const prepared = await prepare({ maxEntries: 3 });
  await prepared.discard();
  const sevenZip = fixture('ok.7z');
  await assert.rejects(
    prepareUpload(ctx.platform, { content: (async function* () { yield sevenZip; })(), archiveLimits: { maxEntries: 1 } }),
    (error: unknown) => error instanceof AppError && error.code === 'FILE_ARCHIVE_REFUSED' && error.extra?.reason === 'entries' && error.extra?.entries === 2,
  );
  await assert.rejects(
    prepareUpload(ctx.platform, { content: (async function* () { yield sevenZip; })(), archiveLimits: { maxUncompressedBytes: 20 } }),
    (error: unknown) => error instanceof AppError && error.extra?.reason === 'size',
  );
  // A looser value than the installation's does not loosen it.
  const many = makeZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `${i}`, data: '' })));
  await assert.rejects(prepareUpload(ctx.platform, { content: (async function* () { yield many; })(), archiveLimits: { maxEntries: 1_000_000 } }), /FILE_ARCHIVE_REFUSED/);
});

test('nested archives are refused: by the entry name, and by the first bytes of a stored entry', async () => {
  const inner = makeZip([{ name: 'a.txt', data: 'a' }]);
  const byName = await refused('套.zip', makeZip([{ name: '说明.txt', data: 'x' }, { name: '附件/inner.ZIP', data: inner }]), 'nested');
  assert.equal(byName.zh, '压缩包内不能再含压缩包：附件/inner.ZIP。请解压后将其中的文件直接放入压缩包');
  assert.match(byName.en, /may not contain another archive: 附件\/inner\.ZIP/);
  for (const name of ['data.tar.gz', 'x.7z', 'y.rar', 'disc.iso', 'setup.cab', 'part.7z.001']) {
    await refused('套.zip', makeZip([{ name, data: 'xxxx' }]), 'nested');
  }
  // A 7z archive renamed to .txt, stored as it is.
  const disguised = makeZip([{ name: '说明.txt', data: fixture('ok.7z') }]);
  assert.match((await refused('套.zip', disguised, 'nested')).en, /说明\.txt/);
});

test('encrypted zip entries are refused (they cannot be inspected)', async () => {
  const { zh } = await refused('密.zip', rawZip([{ name: '秘密.txt', data: Buffer.from('xxxxxxxxxxxx'), flags: 0x01 }]), 'encrypted');
  assert.match(zh, /已加密，无法检查：秘密\.txt/);
});

test('damaged zips are refused clearly, never a 500', async () => {
  const good = makeZip([{ name: 'a.txt', data: 'hello' }, { name: 'b.txt', data: 'world' }]);
  const cut = good.subarray(0, good.length - 30);
  const { zh, en } = await refused('坏.zip', cut, 'damaged');
  assert.equal(zh, '压缩包已损坏或格式无法读取，请重新压缩后上传');
  assert.match(en, /damaged/);
  // Two entries sharing one stream (the "overlapping entries" bomb).
  await refused('坏.zip', rawZip([{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'b.txt', data: Buffer.from('hello') }], { sameOffset: true }), 'damaged');
  // A central directory pointing past the end.
  const wrong = Buffer.from(good);
  wrong.writeUInt32LE(0x7fffffff, wrong.length - 6);
  await refused('坏.zip', wrong, 'damaged');
});

test('Office documents and OFD are zips too but are not held to the archive checks', async () => {
  const docx = makeZip([{ name: '[Content_Types].xml', data: '<Types/>' }, { name: 'word/document.xml', data: '<w:document/>' }, { name: 'word/media/image1.zip', data: 'x' }]);
  assert.equal((await upload('报告.docx', docx)).statusCode, 201);
});

// ------------------------------------------------------------------ 7z

test('7z: a normal archive is accepted', async () => {
  const res = await upload('材料.7z', fixture('ok.7z'));
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().mime, 'application/x-7z-compressed');
  assert.equal(res.json().name, '材料.7z');
});

test('7z: a bomb (43 KB unpacking to 300 MB) is refused, naming the ratio', async () => {
  const { zh, en } = await refused('数据.7z', fixture('bomb.7z'), 'ratio');
  assert.match(zh, /解压后约 286\.1 MB，为压缩包大小的 \d+ 倍，最多允许 100 倍/);
  assert.match(en, /about 286\.1 MB/);
});

test('7z: nested, encrypted and damaged archives are refused', async () => {
  assert.match((await refused('套.7z', fixture('nested.7z'), 'nested')).zh, /inner\.zip/);
  assert.match((await refused('密.7z', fixture('encrypted.7z'), 'encrypted')).zh, /无法检查：说明\.txt/);
  assert.match((await refused('密.7z', fixture('encrypted-names.7z'), 'encrypted')).zh, /压缩包已加密，无法检查其内容/);
  const ok = fixture('ok.7z');
  await refused('坏.7z', ok.subarray(0, ok.length - 40), 'damaged');
  await refused('坏.7z', Buffer.concat([ok.subarray(0, 32), Buffer.alloc(200, 0x5a)]), 'damaged');
});

// ------------------------------------------------------------------ rar

test('rar: a normal archive is accepted; a declared bomb, a nested archive and a damaged one are refused', async () => {
  const ok = makeRar([{ name: '材料/说明.txt', data: Buffer.from('申请说明\n') }, { name: '表格.csv', data: Buffer.from('姓名,金额\n') }]);
  const res = await upload('材料.rar', ok);
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().mime, 'application/vnd.rar');
  const bomb = makeRar([{ name: 'big.bin', data: Buffer.alloc(100), size: 3 * GIB }]);
  assert.match((await refused('大.rar', bomb, 'size')).zh, /约 3072 MB，最多允许 2048 MB/);
  assert.match((await refused('套.rar', makeRar([{ name: 'inner.7z', data: Buffer.from('x') }]), 'nested')).en, /inner\.7z/);
  await refused('坏.rar', ok.subarray(0, 40), 'damaged');
  await refused('坏.rar', Buffer.concat([ok.subarray(0, 8), Buffer.alloc(100, 0x11)]), 'damaged');
});
