import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startS3Proxy, type StartedS3Proxy } from '@telltale/testing';
import { FilesystemDocumentStorage, S3DocumentStorage, storageKey, type DocumentStorage } from '../src';

/** The same behaviour from both drivers: what is put is read back byte for byte, a missing key is null, a document's prefix goes at once. */
function storageContract(name: string, make: () => DocumentStorage) {
  it(`${name}: put, get, overwrite, missing keys, delete a document's tree`, async () => {
    const storage = make();
    const org = randomUUID();
    const doc = randomUUID();
    const original = randomBytes(300_000);
    await storage.put(storageKey(org, doc, 1, 'original'), original, 'application/pdf');
    await storage.put(storageKey(org, doc, 1, 'thumbnails', 'page-1.png'), Buffer.from('png-1'), 'image/png');
    await storage.put(storageKey(org, doc, 2, 'original'), Buffer.from('v2'), 'application/pdf');
    const other = randomUUID();
    await storage.put(storageKey(org, other, 1, 'original'), Buffer.from('other'), 'application/pdf');

    assert.ok((await storage.get(storageKey(org, doc, 1, 'original')))?.equals(original));
    await storage.put(storageKey(org, doc, 2, 'original'), Buffer.from('v2 again'), 'application/pdf');
    assert.equal((await storage.get(storageKey(org, doc, 2, 'original')))?.toString(), 'v2 again');
    assert.equal(await storage.get(storageKey(org, doc, 3, 'original')), null);

    await storage.deletePrefix(storageKey(org, doc));
    assert.equal(await storage.get(storageKey(org, doc, 1, 'original')), null);
    assert.equal(await storage.get(storageKey(org, doc, 1, 'thumbnails', 'page-1.png')), null);
    assert.equal(await storage.get(storageKey(org, doc, 2, 'original')), null);
    assert.equal((await storage.get(storageKey(org, other, 1, 'original')))?.toString(), 'other');
  });

  it(`${name}: keys that would leave the store are refused`, async () => {
    const storage = make();
    for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a//b', '']) {
      await assert.rejects(storage.put(key, Buffer.from('x'), 'text/plain'), /Invalid storage key/, key);
    }
  });
}

describe('document storage: filesystem driver', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'telltale-fs-storage-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  storageContract('filesystem', () => new FilesystemDocumentStorage(dir));

  it('filesystem: no partial files are left behind', async () => {
    const storage = new FilesystemDocumentStorage(dir);
    const org = randomUUID();
    await storage.put(storageKey(org, 'd', 1, 'original'), Buffer.from('x'), 'application/pdf');
    assert.deepEqual(await readdir(join(dir, org, 'd', '1')), ['original']);
  });
});

describe('document storage: S3 driver against S3Proxy (a real S3-compatible server)', () => {
  let s3: StartedS3Proxy;
  const bucket = `telltale-${randomBytes(4).toString('hex')}`;
  let storage: S3DocumentStorage;
  before(async () => {
    s3 = await startS3Proxy();
    storage = new S3DocumentStorage({ endpoint: s3.endpoint, region: s3.region, bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
    await storage.client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s3?.stop());
  storageContract('s3', () => storage);

  it('s3: wrong credentials are refused by the server', async () => {
    const wrong = new S3DocumentStorage({ endpoint: s3.endpoint, region: s3.region, bucket, accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret', forcePathStyle: true });
    await assert.rejects(wrong.put('a/b', Buffer.from('x'), 'text/plain'));
  });
});
