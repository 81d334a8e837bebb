import { Controller, Get, Param, ParseUUIDPipe, Put, Body, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { Uuid } from '@telltale/contracts';
import { Internal, parseRequest } from '@telltale/runtime';
import { OrganizationPlan } from '../content.config';
import { DocumentLibrary, PageParam, VersionParam, type VersionView } from './document-library';

type InternalVersion = VersionView & { orgId: string; title: string; latestVersion: number };

/**
 * What the document viewer (served by the tracker on the tracking domain) reads: a version's
 * metadata (the newest through `latest`, so links already sent follow new versions), its PDF and
 * its page thumbnails. Never reachable from an ingress.
 */
@Controller('internal/v1/documents')
@Internal('tracker')
export class InternalDocumentsController {
  constructor(private readonly library: DocumentLibrary) {}

  /** The newest version's metadata (status, pages, file). */
  @Get(':id/versions/latest')
  latest(@Param('id', new ParseUUIDPipe()) id: string): Promise<InternalVersion> {
    return this.library.internalVersion(id, 'latest');
  }

  @Get(':id/versions/:n')
  version(@Param('id', new ParseUUIDPipe()) id: string, @Param('n') n: string): Promise<InternalVersion> {
    return this.library.internalVersion(id, parseRequest(VersionParam, n));
  }

  /** The version's PDF bytes (404 version_not_ready until converted). */
  @Get(':id/versions/:n/pdf')
  async pdf(@Param('id', new ParseUUIDPipe()) id: string, @Param('n') n: string, @Res() res: Response): Promise<void> {
    const bytes = await this.library.internalFile(id, parseRequest(VersionParam, n), { pdf: true });
    res.status(200).type('application/pdf').send(bytes);
  }

  /** One page's thumbnail, a PNG drawn at 40 dpi. */
  @Get(':id/versions/:n/pages/:page/thumbnail')
  async thumbnail(@Param('id', new ParseUUIDPipe()) id: string, @Param('n') n: string, @Param('page') page: string, @Res() res: Response): Promise<void> {
    const bytes = await this.library.internalFile(id, parseRequest(VersionParam, n), { thumbnailPage: parseRequest(PageParam, page) });
    res.status(200).type('image/png').send(bytes);
  }
}

export const SetPlanRequest = z.object({ plan: OrganizationPlan }).strict();

/** The app service tells the content service an organisation's plan (document features need Team or above). */
@Controller('internal/v1/organizations')
@Internal('app')
export class InternalPlansController {
  constructor(private readonly library: DocumentLibrary) {}

  @Put(':orgId/plan')
  @HttpCode(200)
  async setPlan(@Param('orgId') orgId: string, @Body() body: unknown): Promise<{ orgId: string; plan: OrganizationPlan }> {
    const id = parseRequest(Uuid, orgId);
    const { plan } = parseRequest(SetPlanRequest, body ?? {});
    await this.library.setPlan(id, plan);
    return { orgId: id, plan };
  }
}
