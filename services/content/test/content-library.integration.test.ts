import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makeOfficeFile } from '@telltale/testing';
import { startContentUnderTest, type ContentUnderTest } from './support/content-under-test';

interface DocumentBody {
  id: string;
  title: string;
  shared: boolean;
  latestVersion: number;
  latest: { status: string; pageCount: number | null; failureReason: string | null; version: number; fileType: string };
}

const LIMIT = 1024 * 1024;

describe('content library: upload, conversion, versions, search, plan (issue 16)', () => {
  let content: ContentUnderTest;
  let docx: Buffer;
  let pptx: Buffer;

  before(async () => {
    content = await startContentUnderTest({ label: 'content-library', config: { CONTENT_MAX_UPLOAD_BYTES: String(LIMIT) } });
    [docx, pptx] = await Promise.all([
      makeOfficeFile('docx', ['Proposal for Acme', 'Scope of the work', 'Pricing: zanzibar tier', 'Terms']),
      makeOfficeFile('pptx', ['Welcome', 'Our product', 'Pricing', 'Next steps', 'Thank you']),
    ]);
  });
  after(() => content?.stop());

  it('converts a real .docx and .pptx: page counts, thumbnails, the PDF for the viewer, the text for search', async () => {
    const word = await content.upload('Proposal.docx', docx);
    assert.equal(word.status, 201, await word.clone().text());
    const wordDoc = (await word.json()) as DocumentBody;
    assert.equal(wordDoc.title, 'Proposal');
    assert.equal(wordDoc.latest.fileType, 'docx');
    assert.equal(wordDoc.latest.status, 'pending');
    const deck = (await (await content.upload('Deck.pptx', pptx, { query: { title: 'Quarterly deck' } })).json()) as DocumentBody;
    assert.equal(deck.latest.fileType, 'pptx');

    const word4 = (await content.converted(wordDoc.id)).latest;
    assert.deepEqual([word4.status, word4.pageCount, word4.failureReason], ['ready', 4, null]);
    assert.equal((await content.converted(deck.id)).latest.pageCount, 5);

    const meta = (await (await content.internal('tracker', `/internal/v1/documents/${deck.id}/versions/1`)).json()) as { status: string; pageCount: number; orgId: string };
    assert.deepEqual([meta.status, meta.pageCount, meta.orgId], ['ready', 5, content.orgId]);
    const pdf = await content.internal('tracker', `/internal/v1/documents/${deck.id}/versions/1/pdf`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1'), '%PDF-');
    for (const page of [1, 5]) {
      const png = await content.internal('tracker', `/internal/v1/documents/${deck.id}/versions/1/pages/${page}/thumbnail`);
      assert.equal(png.status, 200);
      assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
    assert.equal((await content.internal('tracker', `/internal/v1/documents/${deck.id}/versions/1/pages/6/thumbnail`)).status, 404);
    const memberThumb = await content.api(`/v1/documents/${deck.id}/versions/1/pages/2/thumbnail`);
    assert.equal(memberThumb.headers.get('content-type'), 'image/png');
    assert.equal((await content.api(`/v1/documents/${deck.id}/versions/1/pages/2/thumbnail`, { orgId: randomUUID() })).status, 404);
    // Only the viewer's service reaches the internal routes; a member's token does not.
    assert.equal((await content.api(`/internal/v1/documents/${deck.id}/versions/1`)).status, 401);

    // Search: a word only in the Word document's third page, and a title word.
    const byText = (await (await content.api('/v1/documents?q=zanzibar')).json()) as { items: DocumentBody[] };
    assert.deepEqual(byText.items.map((d) => d.id), [wordDoc.id]);
    const byTitle = (await (await content.api('/v1/documents?q=quarterly')).json()) as { items: DocumentBody[] };
    assert.deepEqual(byTitle.items.map((d) => d.id), [deck.id]);
    const outbox = await content.sql<{ topic: string }>(`SELECT topic FROM content.outbox WHERE topic LIKE '%document.converted.v1' `);
    assert.equal(outbox.length, 2);
  });

  it('a corrupt file fails with the reason and the next one still converts', async () => {
    const broken = (await (await content.upload('broken.pdf', Buffer.from('%PDF-1.7\nthis is not a PDF at all\n'))).json()) as DocumentBody;
    const fine = (await (await content.upload('fine.pdf', minimalPdf())).json()) as DocumentBody;
    const failed = await content.converted(broken.id);
    assert.equal(failed.latest.status, 'failed');
    assert.match(failed.latest.failureReason ?? '', /not a readable PDF/);
    assert.equal((await content.converted(fine.id)).latest.pageCount, 1);
    const notReady = await content.internal('tracker', `/internal/v1/documents/${broken.id}/versions/1/pdf`);
    assert.equal(notReady.status, 404);
    assert.equal(((await notReady.json()) as { error: string }).error, 'version_not_ready');
  });

  it('refuses a file over the limit (413) and a renamed executable (415 naming what it is)', async () => {
    const big = await content.upload('big.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(LIMIT + 10, 0x20)]));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: string }).error, 'payload_too_large');
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(2000, 0)]);
    const refused = await content.upload('Proposal.pdf', exe);
    assert.equal(refused.status, 415);
    const body = (await refused.json()) as { error: string; message: string };
    assert.equal(body.error, 'unsupported_file_type');
    assert.match(body.message, /Windows executable/);
    const zip = await content.upload('slides.pptx', Buffer.from('PK\x03\x04 not really', 'latin1'));
    assert.equal(zip.status, 415);
    const json = await content.api('/v1/documents?filename=a.pdf', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 415);
  });

  it('versions: a new upload becomes the newest, the old one stays readable', async () => {
    const first = (await (await content.upload('Pricing.pdf', minimalPdf())).json()) as DocumentBody;
    await content.converted(first.id);
    const second = await content.upload('Pricing-v2.docx', await makeOfficeFile('docx', ['new', 'pricing']), { path: `/v1/documents/${first.id}/versions` });
    assert.equal(second.status, 201);
    assert.equal(((await second.json()) as DocumentBody).latestVersion, 2);
    assert.equal((await content.converted(first.id)).latest.pageCount, 2);
    const latest = (await (await content.internal('tracker', `/internal/v1/documents/${first.id}/versions/latest`)).json()) as { version: number; latestVersion: number };
    assert.deepEqual([latest.version, latest.latestVersion], [2, 2]);
    const pinned = (await (await content.internal('tracker', `/internal/v1/documents/${first.id}/versions/1`)).json()) as { pageCount: number };
    assert.equal(pinned.pageCount, 1);
    const versions = (await (await content.api(`/v1/documents/${first.id}/versions`)).json()) as { items: { version: number }[] };
    assert.deepEqual(versions.items.map((v) => v.version), [2, 1]);
  });

  it('reps see their own and shared items, managers everything, other organisations nothing; delete removes the files', async () => {
    const repA = { userId: randomUUID(), roles: ['rep' as const] };
    const repB = { userId: randomUUID(), roles: ['rep' as const] };
    const own = (await (await content.upload('mine.pdf', minimalPdf(), { caller: repA })).json()) as DocumentBody;
    const shared = (await (await content.upload('team.pdf', minimalPdf(), { caller: repA, query: { shared: 'true' } })).json()) as DocumentBody;
    const seenByB = (await (await content.api('/v1/documents?limit=100', { caller: repB })).json()) as { items: DocumentBody[] };
    assert.ok(seenByB.items.some((d) => d.id === shared.id));
    assert.ok(!seenByB.items.some((d) => d.id === own.id));
    assert.equal((await content.api(`/v1/documents/${own.id}`, { caller: repB })).status, 404);
    assert.equal((await content.api(`/v1/documents/${shared.id}`, { caller: repB, method: 'DELETE' })).status, 404);
    assert.equal((await content.api(`/v1/documents/${own.id}`, { caller: { roles: ['manager'] } })).status, 200);
    assert.equal((await content.api(`/v1/documents/${own.id}`, { orgId: randomUUID() })).status, 404);

    // Cursor pages: two at a time, no item twice.
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = (await (await content.api(`/v1/documents?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: DocumentBody[]; nextCursor: string | null };
      for (const d of page.items) {
        assert.ok(!seen.has(d.id), `${d.id} twice`);
        seen.add(d.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    assert.ok(seen.has(own.id) && seen.has(shared.id));

    await content.converted(own.id);
    assert.equal((await content.api(`/v1/documents/${own.id}`, { caller: repA, method: 'DELETE' })).status, 200);
    assert.equal((await content.api(`/v1/documents/${own.id}`)).status, 404);
    assert.equal((await content.internal('tracker', `/internal/v1/documents/${own.id}/versions/1`)).status, 404);
  });

  it('plan gating: a Free organisation gets 403 plan_required naming its plan from every document route', async () => {
    const freeOrg = randomUUID();
    const set = await content.internal('app', `/internal/v1/organizations/${freeOrg}/plan`, { method: 'PUT', body: JSON.stringify({ plan: 'free' }) });
    assert.equal(set.status, 200);
    const id = randomUUID();
    for (const [method, path] of [
      ['GET', '/v1/documents'],
      ['POST', '/v1/documents?filename=a.pdf'],
      ['GET', `/v1/documents/${id}`],
      ['GET', `/v1/documents/${id}/versions`],
      ['POST', `/v1/documents/${id}/versions?filename=a.pdf`],
      ['DELETE', `/v1/documents/${id}`],
    ] as const) {
      const answer = await content.api(path, { method, orgId: freeOrg, body: method === 'POST' ? new Uint8Array(minimalPdf()) : undefined, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(answer.status, 403, `${method} ${path}`);
      const body = (await answer.json()) as { error: string; plan: string; message: string };
      assert.deepEqual([body.error, body.plan], ['plan_required', 'free'], `${method} ${path}`);
      assert.match(body.message, /Free plan/);
    }
    await content.internal('app', `/internal/v1/organizations/${freeOrg}/plan`, { method: 'PUT', body: JSON.stringify({ plan: 'team' }) });
    assert.equal((await content.api('/v1/documents', { orgId: freeOrg })).status, 200);
    assert.equal((await content.internal('tracker', `/internal/v1/organizations/${freeOrg}/plan`, { method: 'PUT', body: JSON.stringify({ plan: 'business' }) })).status, 401);
  });
});

/** The smallest valid one-page PDF (cross-reference offsets computed). */
function minimalPdf(): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
