import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Res, PayloadTooLargeException, BadRequestException, Post, Query, Req, Inject, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentCaller, Members, parseRequest, type Caller, type Page } from '@telltale/runtime';
import { DocumentLibrary, ListDocumentsQuery, PageParam, UploadQuery, VersionParam, type DocumentView, type VersionView } from './document-library';

export const UPLOAD_LIMIT_BYTES = Symbol('UPLOAD_LIMIT_BYTES');

/**
 * The content library (issue 16): upload PDF, Word and PowerPoint files (the body is the file,
 * `application/octet-stream` or the file's own type; its name and the title in the query), list
 * and search, versions, delete. Every route needs the Team plan or above (403 plan_required).
 */
@Controller('v1/documents')
export class DocumentsController {
  constructor(
    private readonly library: DocumentLibrary,
    @Inject(UPLOAD_LIMIT_BYTES) private readonly limitBytes: number,
  ) {}

  /** Uploads a new document. 413 payload_too_large over the limit; 415 unsupported_file_type for anything but PDF, .doc/.docx, .ppt/.pptx (read from the bytes, not the name). Conversion follows in the background: `latest.status` goes pending → ready or failed. */
  @Post()
  @Members('documents')
  @HttpCode(201)
  async upload(@CurrentCaller() caller: Caller, @Query() query: unknown, @Req() req: Request): Promise<DocumentView> {
    const parsed = parseRequest(UploadQuery, query);
    await this.library.requirePlan(caller.orgId);
    return this.library.upload(caller, parsed, await this.readFile(req));
  }

  /** Newest first, a cursor page at a time; `q` searches titles and the documents' text. */
  @Get()
  @Members('documents')
  list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<Page<DocumentView>> {
    return this.library.list(caller, parseRequest(ListDocumentsQuery, query));
  }

  @Get(':id')
  @Members('documents')
  get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<DocumentView> {
    return this.library.get(caller, id);
  }

  /** Every version, newest first. */
  @Get(':id/versions')
  @Members('documents')
  versions(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ items: VersionView[] }> {
    return this.library.versions(caller, id);
  }

  /** One page's thumbnail (PNG, 40 dpi) of a converted version, for the library list. */
  @Get(':id/versions/:n/pages/:page/thumbnail')
  @Members('documents')
  async thumbnail(
    @CurrentCaller() caller: Caller,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('n') n: string,
    @Param('page') page: string,
    @Res() res: Response,
  ): Promise<void> {
    const version = parseRequest(VersionParam, n);
    const pageNumber = parseRequest(PageParam, page);
    await this.library.get(caller, id);
    const bytes = await this.library.internalFile(id, version, { thumbnailPage: pageNumber });
    res.status(200).type('image/png').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(bytes);
  }

  /** A new version of the document: links already sent show it unless pinned to an older one. */
  @Post(':id/versions')
  @Members('documents')
  @HttpCode(201)
  async newVersion(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Query() query: unknown, @Req() req: Request): Promise<DocumentView> {
    const parsed = parseRequest(UploadQuery, query);
    await this.library.requirePlan(caller.orgId);
    return this.library.upload(caller, parsed, await this.readFile(req), id);
  }

  /** Deletes the document, its versions and its files (owner, manager or admin). */
  @Delete(':id')
  @Members('documents')
  delete(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<{ deleted: true }> {
    return this.library.delete(caller, id);
  }

  /** The request body, read up to the limit: a 413 as soon as it is larger (Content-Length first). */
  private async readFile(req: Request): Promise<Buffer> {
    if (req.readableEnded || req.body !== undefined) {
      throw new UnsupportedMediaTypeException({ error: 'unsupported_upload', message: 'Send the file itself as the request body (application/octet-stream), not JSON or a form.' });
    }
    const tooLarge = () =>
      new PayloadTooLargeException({ error: 'payload_too_large', message: `The file is larger than the ${Math.round(this.limitBytes / 1_000_000)} MB the content library accepts.`, limitBytes: this.limitBytes });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.limitBytes) {
      req.resume();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.limitBytes) {
        req.resume();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    if (size === 0) throw new BadRequestException({ error: 'empty_file', message: 'The request body is empty; send the file as the body.' });
    return Buffer.concat(chunks);
  }
}
