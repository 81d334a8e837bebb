import { DocumentConverter } from '../../src/conversion/document-converter';
import { makeOfficeFile } from '@telltale/testing';

/**
 * npm run bench:documents — conversion seconds per page for a 30-slide deck: the converter the
 * worker runs (LibreOffice headless with a fresh profile, pdfinfo, a thumbnail per page, the
 * text), BENCH_RUNS times (default 3), one job at a time as in the worker.
 */
async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const slides = Array.from({ length: 30 }, (_, i) => `Slide ${i + 1}: ${['Welcome', 'Problem', 'Product', 'Pricing', 'Customers', 'Next steps'][i % 6]} — ${'lorem ipsum '.repeat(12)}`);
  const deck = await makeOfficeFile('pptx', slides);
  const converter = new DocumentConverter({ sofficePath: 'soffice', popplerDir: '', timeoutMs: 600_000, memoryBytes: 2 * 1024 ** 3, maxPages: 500 });
  const perPage: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = await converter.convert(deck, 'pptx');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.pageCount !== 30 || result.thumbnails.length !== 30) throw new Error(`expected 30 pages and thumbnails, got ${result.pageCount}/${result.thumbnails.length}`);
    perPage.push(seconds / result.pageCount);
    process.stdout.write(`run ${i + 1}: ${seconds.toFixed(2)} s for ${result.pageCount} slides (${(seconds / result.pageCount).toFixed(3)} s/page), PDF ${result.pdf.length} bytes, text ${result.text.length} chars\n`);
  }
  perPage.sort((a, b) => a - b);
  process.stdout.write(`deck ${deck.length} bytes; seconds per page: median ${perPage[Math.floor(perPage.length / 2)]!.toFixed(3)}, best ${perPage[0]!.toFixed(3)}, worst ${perPage[perPage.length - 1]!.toFixed(3)} (${runs} runs)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
