import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentFileType } from '@telltale/contracts';

export interface ConverterOptions {
  sofficePath: string;
  /** Directory of pdfinfo, pdftoppm and pdftotext ('' : on the PATH). */
  popplerDir: string;
  timeoutMs: number;
  memoryBytes: number;
  maxPages: number;
}

export interface ConvertedDocument {
  pdf: Buffer;
  pageCount: number;
  /** One PNG per page, in page order. */
  thumbnails: Buffer[];
  text: string;
}

/** A file that cannot be converted; the message is the reason shown to the rep. */
export class ConversionFailed extends Error {}

/** Text kept for search (PostgreSQL's tsvector holds at most 1 MB). */
export const MAX_EXTRACTED_TEXT = 200_000;

interface RunResult {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

/**
 * Office file → PDF with LibreOffice headless, then page count (pdfinfo), a thumbnail per page
 * (pdftoppm) and the text (pdftotext). Every job works in a directory of its own, LibreOffice with
 * a private user profile there (two conversions never share one), each program in its own process
 * group, killed whole when the job's time runs out, under an address-space limit (prlimit).
 */
export class DocumentConverter {
  constructor(private readonly options: ConverterOptions) {}

  async convert(input: Buffer, type: DocumentFileType): Promise<ConvertedDocument> {
    const dir = await mkdtemp(join(tmpdir(), 'telltale-convert-'));
    const deadline = Date.now() + this.options.timeoutMs;
    try {
      let pdfPath = join(dir, 'input.pdf');
      if (type === 'pdf') {
        await writeFile(pdfPath, input);
      } else {
        const source = join(dir, `input.${type}`);
        await writeFile(source, input);
        const run = await this.run(
          this.options.sofficePath,
          ['--headless', '--norestore', '--nolockcheck', `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--convert-to', 'pdf', '--outdir', join(dir, 'out'), source],
          dir,
          deadline,
        );
        if (run.timedOut) throw new ConversionFailed(`LibreOffice did not finish converting within ${Math.round(this.options.timeoutMs / 1000)} s.`);
        pdfPath = join(dir, 'out', 'input.pdf');
        const produced = await readFile(pdfPath).catch(() => null);
        if (run.code !== 0 || !produced || produced.length === 0) {
          throw new ConversionFailed(`LibreOffice could not convert this ${type.toUpperCase()} file to PDF; it may be damaged or password-protected.`);
        }
      }
      const pageCount = await this.pageCount(pdfPath, dir, deadline);
      if (pageCount > this.options.maxPages) throw new ConversionFailed(`The document has ${pageCount} pages; the library takes at most ${this.options.maxPages}.`);
      const thumbRun = await this.run(this.poppler('pdftoppm'), ['-png', '-r', '40', pdfPath, join(dir, 'thumbs-page')], dir, deadline);
      if (thumbRun.timedOut) throw new ConversionFailed('Drawing the page thumbnails took too long.');
      if (thumbRun.code !== 0) throw new ConversionFailed('The PDF could not be drawn; it may be damaged.');
      const pngs = (await readdir(dir)).filter((n) => n.startsWith('thumbs-page-') && n.endsWith('.png')).sort((a, b) => pageOf(a) - pageOf(b));
      const thumbnails = await Promise.all(pngs.map((n) => readFile(join(dir, n))));
      const textRun = await this.run(this.poppler('pdftotext'), ['-enc', 'UTF-8', pdfPath, join(dir, 'text.txt')], dir, deadline);
      const text = textRun.code === 0 ? (await readFile(join(dir, 'text.txt'), 'utf8').catch(() => '')).replace(/\u0000/g, '').slice(0, MAX_EXTRACTED_TEXT) : '';
      return { pdf: await readFile(pdfPath), pageCount, thumbnails, text };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async pageCount(pdfPath: string, dir: string, deadline: number): Promise<number> {
    const out: string[] = [];
    const run = await this.run(this.poppler('pdfinfo'), [pdfPath], dir, deadline, out);
    if (run.timedOut) throw new ConversionFailed('Reading the PDF took too long.');
    const pages = /^Pages:\s+(\d+)/m.exec(out.join(''));
    if (run.code !== 0 || !pages) throw new ConversionFailed('The file is not a readable PDF; it may be damaged or password-protected.');
    const count = Number(pages[1]);
    if (count < 1) throw new ConversionFailed('The document has no pages.');
    return count;
  }

  private poppler(tool: string): string {
    return this.options.popplerDir ? join(this.options.popplerDir, tool) : tool;
  }

  /** Runs a program in its own process group, under the memory limit, killed as a group at the deadline. */
  private run(command: string, args: string[], cwd: string, deadline: number, stdout?: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn('prlimit', [`--as=${this.options.memoryBytes}`, '--', command, ...args], {
        cwd,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8' },
      });
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout && stdout.join('').length < 64 * 1024) stdout.push(chunk.toString('utf8'));
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString('utf8');
      });
      const timer = setTimeout(
        () => {
          timedOut = true;
          if (child.pid) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }
        },
        Math.max(0, deadline - Date.now()),
      );
      child.on('error', () => {
        clearTimeout(timer);
        resolve({ code: -1, stderr: `${command} could not be started`, timedOut });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, timedOut });
      });
    });
  }
}

function pageOf(name: string): number {
  return Number(/-(\d+)\.png$/.exec(name)?.[1] ?? 0);
}
