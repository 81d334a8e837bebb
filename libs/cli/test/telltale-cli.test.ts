import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runTelltaleCli } from '../src';

const SENT = [
  { messageId: '<s1@mail.seller.com>', from: 'rep@seller.com', to: ['pat@buyer.com'], cc: ['cc@buyer.com'], subject: 'Hello', sentAt: '2026-11-20T09:00:00Z' },
];

const REPLY = [
  'From: Pat <pat@buyer.com>',
  'To: rep@seller.com',
  'Subject: Re: Hello',
  'Message-ID: <r1@buyer.com>',
  'In-Reply-To: <s1@mail.seller.com>',
  'Date: Sat, 21 Nov 2026 10:00:00 +0000',
  '',
  'Sounds good, call me.',
  '',
].join('\r\n');

const OOO = [
  'Received: from mx.buyer.com by mx.seller.com; Sat, 21 Nov 2026 10:00:00 +0000',
  'From: Kim <kim@buyer.com>',
  'To: rep@seller.com',
  'Subject: Automatische Antwort: Hello',
  'Auto-Submitted: auto-replied',
  'References: <s1@mail.seller.com>',
  'Date: Sat, 21 Nov 2026 10:00:00 +0000',
  '',
  'Ich bin ab dem 7. Dezember wieder im Büro.',
  '',
].join('\r\n');

async function fixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'telltale-cli-'));
  await writeFile(join(dir, 'sent.json'), JSON.stringify(SENT));
  await writeFile(join(dir, 'reply.eml'), REPLY);
  await writeFile(join(dir, 'ooo.eml'), OOO);
  await writeFile(join(dir, 'junk.eml'), '\u0000\u0001 not a message');
  return dir;
}

test('classify-reply prints one JSON object per file in the documented shape, and goes on after a bad file', async () => {
  const dir = await fixture();
  const out: string[] = [];
  const code = await runTelltaleCli(['classify-reply', '--sent', join(dir, 'sent.json'), join(dir, 'reply.eml'), join(dir, 'junk.eml'), join(dir, 'ooo.eml')], (l) => out.push(l), () => undefined);
  assert.equal(code, 1, 'exit 1 when a file failed');
  const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 3);
  assert.deepEqual(Object.keys(lines[0]!), ['file', 'kind', 'bounce', 'matchedMessageId', 'relation', 'returnDate', 'reasons']);
  assert.deepEqual({ ...lines[0], reasons: undefined }, { file: join(dir, 'reply.eml'), kind: 'reply', bounce: null, matchedMessageId: '<s1@mail.seller.com>', relation: 'prospect', returnDate: null, reasons: undefined });
  assert.equal(lines[1]!['file'], join(dir, 'junk.eml'));
  assert.equal(typeof lines[1]!['error'], 'string');
  assert.deepEqual(
    { kind: lines[2]!['kind'], relation: lines[2]!['relation'], returnDate: lines[2]!['returnDate'] },
    { kind: 'auto_reply', relation: 'colleague', returnDate: '2026-12-07' },
  );
});

test('usage errors exit 2 with a message', async () => {
  const err: string[] = [];
  assert.equal(await runTelltaleCli(['classify-reply', 'a.eml'], () => undefined, (l) => err.push(l)), 2);
  assert.match(err.join('\n'), /--sent/);
  const dir = await mkdtemp(join(tmpdir(), 'telltale-cli-'));
  await writeFile(join(dir, 'sent.json'), JSON.stringify([{ messageId: 'no-brackets', from: 'a@b.c', to: ['x@y.z'], sentAt: '2026-11-20T09:00:00Z' }]));
  err.length = 0;
  assert.equal(await runTelltaleCli(['classify-reply', '--sent', join(dir, 'sent.json'), 'a.eml'], () => undefined, (l) => err.push(l)), 2);
  assert.match(err.join('\n'), /messageId/);
});

test('the telltale bin runs as a process', async () => {
  const dir = await fixture();
  const bin = join(__dirname, '..', 'src', 'telltale.js');
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'classify-reply', '--sent', 'sent.json', 'reply.eml'], { cwd: dir, env: { ...process.env, INIT_CWD: dir } });
  const line = JSON.parse(stdout.trim()) as { file: string; kind: string };
  assert.deepEqual([line.file, line.kind], ['reply.eml', 'reply']);
});
