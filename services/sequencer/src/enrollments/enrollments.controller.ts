import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { requireOrgId } from '@telltale/runtime';
import { EnrollmentsService, type EnrollmentExplanationView, type EnrollmentView } from './enrollments.service';

@Controller('v1/enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Get(':id')
  get(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.get(requireOrgId(org), id);
  }

  /** "Why did (or didn't) this enrollment stop?" in one sentence, with every detected reply and what it did. */
  @Get(':id/explain')
  explain(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentExplanationView> {
    return this.enrollments.explain(requireOrgId(org), id);
  }

  @Post(':id/stop')
  @HttpCode(200)
  stop(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.stopManually(requireOrgId(org), id);
  }
}
