import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { parseRequest, requireOrgId } from '@telltale/runtime';
import { EnrollRequest, EnrollmentsService, type EnrollmentView } from '../enrollments/enrollments.service';
import { CreateSequenceRequest, SequencesService, toSequenceView, type SequenceView } from './sequences.service';

@Controller('v1/sequences')
export class SequencesController {
  constructor(
    private readonly sequences: SequencesService,
    private readonly enrollments: EnrollmentsService,
  ) {}

  @Post()
  async create(@Headers('x-org-id') org: string | undefined, @Body() body: unknown): Promise<SequenceView> {
    const orgId = requireOrgId(org);
    return toSequenceView(await this.sequences.create(orgId, parseRequest(CreateSequenceRequest, body)));
  }

  @Get(':id')
  async get(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<SequenceView> {
    return toSequenceView(await this.sequences.get(requireOrgId(org), id));
  }

  @Post(':id/enrollments')
  async enroll(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<EnrollmentView> {
    return this.enrollments.enroll(requireOrgId(org), id, parseRequest(EnrollRequest, body));
  }
}
