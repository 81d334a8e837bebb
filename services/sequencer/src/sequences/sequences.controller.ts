import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentCaller, Members, parseRequest, type Caller } from '@telltale/runtime';
import { EnrollRequest, EnrollmentsService, type EnrollmentView } from '../enrollments/enrollments.service';
import { CreateSequenceRequest, SequencesService, toSequenceView, type SequenceView } from './sequences.service';

@Controller('v1/sequences')
@Members('sequences')
export class SequencesController {
  constructor(
    private readonly sequences: SequencesService,
    private readonly enrollments: EnrollmentsService,
  ) {}

  @Post()
  async create(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SequenceView> {
    const orgId = caller.orgId;
    return toSequenceView(await this.sequences.create(orgId, parseRequest(CreateSequenceRequest, body)));
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<SequenceView> {
    return toSequenceView(await this.sequences.get(caller.orgId, id));
  }

  @Post(':id/enrollments')
  async enroll(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<EnrollmentView> {
    return this.enrollments.enroll(caller.orgId, id, parseRequest(EnrollRequest, body));
  }
}
