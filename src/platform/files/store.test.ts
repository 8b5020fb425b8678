import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { LocalBlobStore, BlobTooLargeError, BlobNotFoundError, blobRelativePath } from './store.ts';
import { S3BlobStore, s3KeyFor, makeS3Client, type S3Sender } from './s3-store.ts';
import { loadConfig, ConfigError } from '../../config/index.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-blobs-'));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

const sm3 = (data: Buffer) => crypto.createHash('sm3').update(data).digest('hex');
const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
function* slices(data: Buffer, size: number) {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
const listFiles = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))) : [];

test('local store: content lives at ab/cd/<sm3>, hashed and counted while streaming', async () => {
  const store = new LocalBlobStore(path.join(root, 'a'));
  const data = crypto.randomBytes(300_000);
  const info = await store.put(Readable.from(slices(data, 7_001)));
  assert.deepEqual(info, { sm3: sm3(data), size: data.length });
  assert.equal(blobRelativePath(info.sm3), `${info.sm3.slice(0, 2)}/${info.sm3.slice(2, 4)}/${info.sm3}`);
  assert.deepEqual(listFiles(store.root), [blobRelativePath(info.sm3)]);
  assert.ok(await store.exists(info.sm3));
  assert.deepEqual(await read(await store.get(info.sm3)), data);
  // The same content again is stored once.
  assert.deepEqual(await store.put(Readable.from([data])), info);
  assert.equal(listFiles(store.root).length, 1);
  await store.delete(info.sm3);
  assert.equal(await store.exists(info.sm3), false);
  await assert.rejects(store.get(info.sm3), BlobNotFoundError);
});

test('local store: staged content has no final name until committed, and can be committed again', async () => {
  const store = new LocalBlobStore(path.join(root, 'b'));
  const data = Buffer.from('staged content');
  const staged = await store.stage(Readable.from([data]));
  assert.equal(staged.sm3, sm3(data));
  assert.deepEqual(staged.head, data);
  assert.equal(await store.exists(staged.sm3), false);
  assert.ok(path.dirname(staged.path) === store.stagingDir);
  await store.commit(staged);
  await store.delete(staged.sm3);
  await store.commit(staged);
  assert.ok(await store.exists(staged.sm3));
  await staged.discard();
  await staged.discard();
  assert.deepEqual(listFiles(store.stagingDir), []);
  assert.deepEqual(await read(await store.get(staged.sm3)), data);
});

test('local store: content past the limit is refused while streaming and leaves nothing behind', async () => {
  const store = new LocalBlobStore(path.join(root, 'c'));
  let produced = 0;
  function* endless() {
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (;;) {
      produced += chunk.length;
      yield chunk;
    }
  }
  await assert.rejects(store.put(Readable.from(endless()), { maxBytes: 1024 * 1024 }), BlobTooLargeError);
  assert.ok(produced <= 1024 * 1024 + 2 * 64 * 1024, `read ${produced} bytes`);
  assert.deepEqual(listFiles(store.root), []);
  // Exactly at the limit is fine.
  const info = await store.put(Readable.from([Buffer.alloc(1024, 2)]), { maxBytes: 1024 });
  assert.equal(info.size, 1024);
});

test('local store: a failing source leaves no staged file', async () => {
  const store = new LocalBlobStore(path.join(root, 'd'));
  async function* failing() {
    yield Buffer.from('part');
    throw new Error('connection reset');
  }
  await assert.rejects(store.put(failing()), /connection reset/);
  assert.deepEqual(listFiles(store.root), []);
});

test('local store: stale staging files are swept, digests are never used as raw paths', async () => {
  const store = new LocalBlobStore(path.join(root, 'e'));
  fs.mkdirSync(store.stagingDir, { recursive: true });
  const stale = path.join(store.stagingDir, 'old.part');
  fs.writeFileSync(stale, 'x');
  const old = new Date(Date.now() - 2 * 86400_000);
  fs.utimesSync(stale, old, old);
  fs.writeFileSync(path.join(store.stagingDir, 'fresh.part'), 'y');
  assert.equal(await store.sweepStaging(86400_000), 1);
  assert.deepEqual(listFiles(store.stagingDir), ['fresh.part']);
  await assert.rejects(store.get('../../etc/passwd'), /not an SM3 digest/);
  assert.throws(() => blobRelativePath('AB'.repeat(32)), /not an SM3 digest/);
});

test('S3 store: keys, and the calls it makes', async () => {
  const digest = sm3(Buffer.from('x'));
  assert.equal(s3KeyFor(digest), `files/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`);
  const objects = new Map<string, Buffer>();
  const calls: string[] = [];
  const notFound = () => Object.assign(new Error('not found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  const sender: S3Sender = {
    async send(command) {
      const input = command.input as { Bucket: string; Key: string; Body?: Readable; ContentLength?: number };
      assert.equal(input.Bucket, 'zt-files');
      calls.push(`${command.constructor.name} ${input.Key}`);
      if (command instanceof HeadObjectCommand) {
        if (!objects.has(input.Key)) throw notFound();
        return {};
      }
      if (command instanceof PutObjectCommand) {
        const body = await read(input.Body!);
        assert.equal(body.length, input.ContentLength);
        objects.set(input.Key, body);
        return {};
      }
      if (command instanceof GetObjectCommand) {
        const body = objects.get(input.Key);
        if (!body) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
        return { Body: Readable.from([body]) };
      }
      if (command instanceof DeleteObjectCommand) {
        objects.delete(input.Key);
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  const store = new S3BlobStore(sender, 'zt-files', path.join(root, 's3-staging'));
  const data = Buffer.from('对象存储中的附件');
  const info = await store.put(Readable.from([data]));
  const key = s3KeyFor(info.sm3);
  assert.deepEqual(calls, [`HeadObjectCommand ${key}`, `PutObjectCommand ${key}`]);
  assert.deepEqual(await read(await store.get(info.sm3)), data);
  calls.length = 0;
  await store.put(Readable.from([data]));
  assert.deepEqual(calls, [`HeadObjectCommand ${key}`], 'stored content is not uploaded again');
  assert.ok(await store.exists(info.sm3));
  await store.delete(info.sm3);
  assert.equal(await store.exists(info.sm3), false);
  await assert.rejects(store.get(info.sm3), BlobNotFoundError);
  assert.deepEqual(listFiles(store.stagingDir), []);
  await assert.rejects(store.put(Readable.from([Buffer.alloc(2048)]), { maxBytes: 1024 }), BlobTooLargeError);
});

test('S3 settings: off by default, complete when any is given, each mistake named', async () => {
  assert.equal(loadConfig({}).s3, null);
  const good = {
    ZT_S3_ENDPOINT: 'https://minio.gov.example:9000',
    ZT_S3_BUCKET: 'zt-files',
    ZT_S3_REGION: 'cn-east-1',
    ZT_S3_ACCESS_KEY: 'AKID',
    ZT_S3_SECRET_KEY: 'secret',
  };
  assert.deepEqual(loadConfig(good).s3, { endpoint: 'https://minio.gov.example:9000', bucket: 'zt-files', region: 'cn-east-1', accessKeyId: 'AKID', secretAccessKey: 'secret' });
  assert.deepEqual(loadConfig({ ZT_S3_BUCKET: 'zt-files' }).s3, { endpoint: null, bucket: 'zt-files', region: 'us-east-1', accessKeyId: null, secretAccessKey: null });
  const failsOn = (env: Record<string, string>, setting: string) =>
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.setting === setting && !error.message.includes('secret'));
  failsOn({ ...good, ZT_S3_ENDPOINT: 'minio:9000' }, 'ZT_S3_ENDPOINT');
  failsOn({ ...good, ZT_S3_ENDPOINT: 'ftp://minio' }, 'ZT_S3_ENDPOINT');
  failsOn({ ...good, ZT_S3_BUCKET: '' }, 'ZT_S3_BUCKET');
  failsOn({ ZT_S3_ENDPOINT: 'https://minio' }, 'ZT_S3_BUCKET');
  failsOn({ ...good, ZT_S3_BUCKET: 'Bad_Bucket' }, 'ZT_S3_BUCKET');
  failsOn({ ...good, ZT_S3_REGION: 'East 1' }, 'ZT_S3_REGION');
  failsOn({ ...good, ZT_S3_SECRET_KEY: '' }, 'ZT_S3_SECRET_KEY');
  failsOn({ ...good, ZT_S3_ACCESS_KEY: '' }, 'ZT_S3_ACCESS_KEY');
  // The client is built without touching the network.
  const client = await makeS3Client(loadConfig(good).s3!);
  assert.equal(await client.config.region(), 'cn-east-1');
  assert.equal(client.config.forcePathStyle, true);
  client.destroy();
});
