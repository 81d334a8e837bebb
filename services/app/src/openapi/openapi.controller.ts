import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Public } from '@telltale/runtime';

/**
 * The checked-in OpenAPI document of the public API (`docs/openapi.yaml`, generated from the
 * controllers by libs/system-tests): services/app/dist/src/openapi → the repository's (or the
 * image's) root.
 */
export const OPENAPI_DOCUMENT_PATH = join(__dirname, '..', '..', '..', '..', '..', 'docs', 'openapi.yaml');

interface LoadedDocument {
  yaml: string;
  json: string;
}

/** `GET /api/openapi.yaml` and `/api/openapi.json`: what a client generator or an API explorer reads. */
@Controller('api')
@Public('docs')
export class OpenApiController {
  private loaded: Promise<LoadedDocument | null> | null = null;

  @Get('openapi.yaml')
  async yaml(@Res() res: Response): Promise<void> {
    const document = await this.document();
    res.set('Cache-Control', 'public, max-age=300').type('application/yaml; charset=utf-8').send(document.yaml);
  }

  @Get('openapi.json')
  async json(@Res() res: Response): Promise<void> {
    const document = await this.document();
    res.set('Cache-Control', 'public, max-age=300').type('application/json; charset=utf-8').send(document.json);
  }

  private async document(): Promise<LoadedDocument> {
    this.loaded ??= readFile(OPENAPI_DOCUMENT_PATH, 'utf8').then(
      (yaml) => ({ yaml, json: JSON.stringify(parse(yaml) as unknown) }),
      () => null,
    );
    const document = await this.loaded;
    if (!document) throw new NotFoundException({ error: 'openapi_not_installed', message: 'This installation of the app has no docs/openapi.yaml.' });
    return document;
  }
}
