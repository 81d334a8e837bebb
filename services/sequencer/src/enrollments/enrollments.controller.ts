import { Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { requireOrgId } from '@telltale/runtime';
import { EnrollmentsService, type EnrollmentView } from './enrollments.service';

@Controller('v1/enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Get(':id')
  get(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.get(requireOrgId(org), id);
  }

  @Post(':id/stop')
  @HttpCode(200)
  stop(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<EnrollmentView> {
    return this.enrollments.stopManually(requireOrgId(org), id);
  }
}
