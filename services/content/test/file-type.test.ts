import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sniffFileType, zipEntryNames } from '../src';
import { makeOfficeFile } from '@telltale/testing';

/** The real type of a file from its bytes: Office files written by LibreOffice, and what must be refused. */
describe('file type from the bytes', () => {
  const files: Record<string, Buffer> = {};
  before(async () => {
    for (const kind of ['docx', 'pptx', 'doc', 'ppt'] as const) files[kind] = await makeOfficeFile(kind, ['one', 'two']);
  });

  it('recognises Word and PowerPoint, OOXML and 97–2003, whatever their name', () => {
    for (const kind of ['docx', 'pptx', 'doc', 'ppt'] as const) assert.deepEqual(sniffFileType(files[kind]!), { supported: true, type: kind }, kind);
    assert.ok(zipEntryNames(files.docx!)?.includes('[Content_Types].xml'));
    assert.deepEqual(sniffFileType(Buffer.from('%PDF-1.7\n')), { supported: true, type: 'pdf' });
  });

  it('names what it refuses', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), /Windows executable/],
      [Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(100)]), /Linux executable/],
      [Buffer.from('#!/bin/sh\nrm -rf /\n'), /script/],
      [Buffer.from('just some words'), /text file/],
      [Buffer.from('PK\x03\x04 truncated', 'latin1'), /damaged ZIP/],
      [Buffer.alloc(0), /empty/],
      // An OLE2 compound file without a Word or PowerPoint stream.
      [Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), /neither a Word nor a PowerPoint/],
    ];
    for (const [bytes, description] of cases) {
      const sniffed = sniffFileType(bytes);
      assert.equal(sniffed.supported, false);
      assert.match(sniffed.supported ? '' : sniffed.description, description);
    }
  });
});
