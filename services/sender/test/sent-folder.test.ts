import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentFolderOf } from '../src/sending/sent-copy-finder';

const folder = (path: string, specialUse?: string, flags: string[] = []) => ({ path, ...(specialUse ? { specialUse } : {}), flags: new Set(flags) });

test('the Sent folder is the one marked \\Sent (RFC 6154), whatever its name', () => {
  assert.equal(sentFolderOf([folder('INBOX', '\\Inbox'), folder('Sent'), folder('Gesendete Elemente', '\\Sent')]), 'Gesendete Elemente');
  assert.equal(sentFolderOf([folder('[Gmail]', undefined, ['\\Noselect']), folder('[Gmail]/Sent Mail', '\\Sent')]), '[Gmail]/Sent Mail');
});

test('without SPECIAL-USE, a usual name; none, and there is no Sent folder', () => {
  assert.equal(sentFolderOf([folder('INBOX'), folder('Drafts'), folder('Sent Items')]), 'Sent Items');
  assert.equal(sentFolderOf([folder('INBOX'), folder('INBOX.Sent')]), 'INBOX.Sent');
  assert.equal(sentFolderOf([folder('INBOX'), folder('Archive')]), null);
  assert.equal(sentFolderOf([folder('INBOX'), folder('Sent', '\\Sent', ['\\Noselect'])]), null, 'a folder that cannot be selected holds no messages');
});
