import type { DocumentFileType } from '@telltale/contracts';

/**
 * What a file really is, from its bytes (never its name): PDF (`%PDF-`), Office Open XML (a ZIP
 * whose directory holds `[Content_Types].xml` and `word/` or `ppt/` parts) and legacy Office (an
 * OLE2 compound file with a `WordDocument` or `PowerPoint Document` stream). Anything else is named
 * as well as we can, for the 415.
 */
export type SniffedFile = { supported: true; type: DocumentFileType } | { supported: false; description: string };

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export const CONTENT_TYPES: Record<DocumentFileType, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ppt: 'application/vnd.ms-powerpoint',
};

export function sniffFileType(bytes: Buffer): SniffedFile {
  if (bytes.length === 0) return { supported: false, description: 'an empty file' };
  // The PDF header may follow a little junk (the specification's readers allow up to 1 KiB).
  if (bytes.subarray(0, 1024).includes('%PDF-')) return { supported: true, type: 'pdf' };
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return sniffZip(bytes);
  if (bytes.subarray(0, 8).equals(OLE2)) return sniffCompoundFile(bytes);
  return { supported: false, description: describeOther(bytes) };
}

function sniffZip(bytes: Buffer): SniffedFile {
  const names = zipEntryNames(bytes);
  if (names === null) return { supported: false, description: 'a damaged ZIP archive' };
  if (names.includes('[Content_Types].xml')) {
    if (names.some((n) => n.startsWith('word/'))) return { supported: true, type: 'docx' };
    if (names.some((n) => n.startsWith('ppt/'))) return { supported: true, type: 'pptx' };
    if (names.some((n) => n.startsWith('xl/'))) return { supported: false, description: 'an Excel workbook (.xlsx)' };
    return { supported: false, description: 'an Office Open XML package that is neither a Word document nor a PowerPoint presentation' };
  }
  if (names.includes('mimetype') && names.includes('content.xml')) return { supported: false, description: 'an OpenDocument file' };
  return { supported: false, description: 'a ZIP archive' };
}

/** The names in a ZIP's central directory, or null when there is none to read. */
export function zipEntryNames(bytes: Buffer): string[] | null {
  // End of central directory: 22 bytes plus a comment of up to 65 535 bytes, at the very end.
  const from = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= from; i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count && i < 100_000; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) return null;
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > bytes.length) return null;
    names.push(bytes.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/**
 * A compound file's streams are named in its directory entries, in UTF-16LE: Word 97–2003 keeps
 * its text in `WordDocument`, PowerPoint 97–2003 in `PowerPoint Document`.
 */
function sniffCompoundFile(bytes: Buffer): SniffedFile {
  const has = (name: string) => bytes.includes(Buffer.from(name, 'utf16le'));
  if (has('WordDocument')) return { supported: true, type: 'doc' };
  if (has('PowerPoint Document')) return { supported: true, type: 'ppt' };
  if (has('Workbook') || has('Book')) return { supported: false, description: 'an Excel 97–2003 workbook (.xls)' };
  return { supported: false, description: 'an OLE2 compound file that is neither a Word nor a PowerPoint document' };
}

function describeOther(bytes: Buffer): string {
  const starts = (...b: number[]) => b.every((v, i) => bytes[i] === v);
  if (starts(0x4d, 0x5a)) return 'a Windows executable (MZ)';
  if (starts(0x7f, 0x45, 0x4c, 0x46)) return 'a Linux executable (ELF)';
  if (starts(0xcf, 0xfa, 0xed, 0xfe) || starts(0xfe, 0xed, 0xfa, 0xcf) || starts(0xca, 0xfe, 0xba, 0xbe)) return 'a macOS executable (Mach-O)';
  if (starts(0x23, 0x21)) return 'a script (#!)';
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'a GIF image';
  if (starts(0x1f, 0x8b)) return 'a gzip archive';
  if (starts(0x52, 0x61, 0x72, 0x21)) return 'a RAR archive';
  if (starts(0x37, 0x7a, 0xbc, 0xaf)) return 'a 7-Zip archive';
  if (starts(0x7b, 0x5c, 0x72, 0x74, 0x66)) return 'an RTF document';
  const head = bytes.subarray(0, 512);
  if (!head.includes(0)) return 'a text file';
  return 'a file of unknown type';
}
