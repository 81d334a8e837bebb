import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ' +
  'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ' +
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A flat OpenDocument text: one paragraph per page, each after a page break. */
function flatText(pages: string[]): string {
  const paragraphs = pages.map((p, i) => `<text:p text:style-name="${i === 0 ? 'Standard' : 'Break'}">${escape(p)}</text:p>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><office:document ${NS} office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles><style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles>
<office:body><office:text>${paragraphs}</office:text></office:body></office:document>`;
}

/** A flat OpenDocument presentation: one text frame per slide. */
function flatPresentation(slides: string[]): string {
  const pages = slides
    .map((s, i) => `<draw:page draw:name="Slide ${i + 1}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>${escape(s)}</text:p></draw:text-box></draw:frame></draw:page>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><office:document ${NS} office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:body><office:presentation>${pages}</office:presentation></office:body></office:document>`;
}

/**
 * Real Word and PowerPoint files for the tests, written by LibreOffice itself from a flat
 * OpenDocument file (the same program the converter runs, with a profile of its own).
 */
export async function makeOfficeFile(kind: 'docx' | 'pptx' | 'doc' | 'ppt', pages: string[]): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'telltale-office-fixture-'));
  try {
    const source = join(dir, kind === 'docx' || kind === 'doc' ? 'file.fodt' : 'file.fodp');
    await writeFile(source, kind === 'docx' || kind === 'doc' ? flatText(pages) : flatPresentation(pages));
    const filter = { docx: 'docx', doc: 'doc:MS Word 97', pptx: 'pptx', ppt: 'ppt:MS PowerPoint 97' }[kind];
    await run('soffice', ['--headless', `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--convert-to', filter, '--outdir', join(dir, 'out'), source], { timeout: 120_000 });
    return await readFile(join(dir, 'out', `file.${kind}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
