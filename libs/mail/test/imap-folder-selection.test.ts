import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replyFolders, type ListedFolder } from '../src/imap-folder-selection';

const folder = (path: string, flags: string[] = [], specialUse?: string): ListedFolder => ({ path, name: path.split('/').at(-1)!, flags: new Set(flags), ...(specialUse ? { specialUse } : {}) });

describe('the IMAP folders a reply can land in', () => {
  it('INBOX first, then every selectable folder but Sent, Drafts, Trash and Junk (RFC 6154 attributes)', () => {
    const listed = [
      folder('Archive', ['\\Archive'], '\\Archive'),
      folder('INBOX', [], '\\Inbox'),
      folder('Clients/Acme'),
      folder('Outgoing', ['\\Sent'], '\\Sent'),
      folder('Papierkorb', ['\\Trash'], '\\Trash'),
      folder('Werbung', ['\\Junk']),
      folder('Entwürfe', [], '\\Drafts'),
      folder('[Gmail]', ['\\Noselect']),
      folder('[Gmail]/All Mail', ['\\All'], '\\All'),
      folder('Gone', ['\\NonExistent']),
    ];
    assert.deepEqual(replyFolders(listed), ['INBOX', 'Archive', 'Clients/Acme']);
  });

  it('falls back on names on servers without SPECIAL-USE, and always has INBOX', () => {
    const listed = ['Sent Items', 'Deleted Items', 'Junk E-mail', 'Spam', 'Drafts', 'Trash', 'Customers', 'Sent/Old replies'].map((path) => folder(path));
    assert.deepEqual(replyFolders(listed), ['INBOX', 'Customers', 'Sent/Old replies']);
  });
});
